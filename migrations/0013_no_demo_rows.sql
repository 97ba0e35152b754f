-- Migrations create structure only. 0003 also inserted demo collateral and the sandbox reps'
-- quotas, which a real deploy would credit real leads and deals to; they now belong to the local
-- stack's seed (dev/demo-rows.ts). Only the rows exactly as 0003 wrote them go: an admin's own
-- rows, and a demo row an admin has since edited, stay.
DELETE FROM collateral_assets WHERE (asset_id, type, title, version, status, tags, target_audience, url, lead_source) IN (
  VALUES
    ('asset-whitepaper-platform', 'whitepaper', 'Platform Engineering at Scale', '2.1', 'published', '["technical","platform"]', 'engineering leaders', 'https://leadbridge.example/assets/platform-whitepaper.pdf', 'organic_search'),
    ('asset-pricing-calculator', 'tool', 'Pricing Calculator', '1.4', 'published', '["pricing","roi"]', 'economic buyers', 'https://leadbridge.example/pricing/calculator', 'paid_search'),
    ('asset-webinar-devex', 'webinar', 'Developer Experience Webinar', '1.0', 'published', '["developer","demo"]', 'developers', 'https://leadbridge.example/webinars/devex', 'hubspot'),
    ('asset-case-study-acme', 'case_study', 'Acme Robotics Case Study', '1.2', 'published', '["manufacturing","proof"]', 'operations managers', 'https://leadbridge.example/customers/acme', 'web'),
    ('asset-partner-battlecard', 'battlecard', 'Partner Battlecard', '3.0', 'draft', '["partner","competitive"]', 'channel partners', 'https://leadbridge.example/partners/battlecard', 'partner_referral')
);

DELETE FROM quotas WHERE (owner, month, amount) IN (
  VALUES
    ('avery.chen@leadbridge.sandbox', '*', 50000),
    ('jordan.patel@leadbridge.sandbox', '*', 40000),
    ('sam.okafor@leadbridge.sandbox', '*', 60000),
    ('riley.novak@leadbridge.sandbox', '*', 40000),
    ('morgan.silva@leadbridge.sandbox', '*', 30000)
);
