import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    hubspotUrl: string;
    salesforceUrl: string;
  }
}
