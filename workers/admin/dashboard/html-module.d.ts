// Wrangler's default rules import .html as text; `wrangler types` only declares the custom rules
// (.css, .client.js).
declare module "*.html" {
  const text: string;
  export default text;
}
