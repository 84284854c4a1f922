// Tests never read the developer's own environment: each test builds its configuration explicitly.
process.env.TZ = "UTC";
