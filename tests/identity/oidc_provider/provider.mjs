// A real OpenID provider (node's oidc-provider) for servflow's tests: `node provider.mjs <port> <accounts.json>`.
// Accounts are read from the JSON file at every sign-in and every token refresh, so a test changes someone's
// groups by rewriting it, or disables them ("disabled": true): their sign-in is then refused (access_denied)
// and their refresh tokens answer invalid_grant, as a real identity platform does for a switched-off account.
// Refresh tokens are issued to every client allowed the refresh_token grant at a plain sign-in, as Keycloak,
// Azure AD and Okta do for offline_access (oidc-provider's default wants prompt=consent for it).
// Clients register themselves over HTTP (dynamic registration), as each test's app has its own address.
// The provider's own development login page is what people (and the browser test) fill in.
import { readFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { parse } from "node:querystring";
import Provider from "oidc-provider";

const [port, accountsFile] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

function accounts() {
  return JSON.parse(readFileSync(accountsFile, "utf8"));
}

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: ["servflow-test-only"] },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  scopes: ["openid", "offline_access", "profile", "email", "groups"],
  claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"], groups: ["groups"] },
  conformIdTokenClaims: false, // the ID token carries the claims servflow maps (groups), as many providers do
  ttl: { Session: 3600, Grant: 86400, RefreshToken: 86400 },
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed("refresh_token");
  },
  async expiresWithSession() {
    return false; // an offline token: it outlives the sign-in session, as offline_access asks
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account || account.disabled) return undefined;
    return { accountId: id, async claims() { return { sub: id, preferred_username: id, ...account }; } };
  },
});
// The development login page takes any name; a disabled account's is refused here, before it, by ending the
// interaction with access_denied (the body is handed on to the login page's own parser as request.body).
provider.use(async (ctx, next) => {
  if (ctx.method !== "POST" || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  ctx.request.body = parse(Buffer.concat(chunks).toString());
  const { prompt, login } = ctx.request.body;
  if (prompt === "login" && accounts()[login]?.disabled) {
    const result = { error: "access_denied", error_description: "the account is disabled" };
    return ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
  }
  return next();
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));
provider.listen(Number(port), "127.0.0.1", () => console.log(`listening ${issuer}`));
