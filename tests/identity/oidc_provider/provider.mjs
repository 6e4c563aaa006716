// A real OpenID provider (node's oidc-provider) for servflow's tests: `node provider.mjs <port> <accounts.json>`.
// Accounts are read from the JSON file at every sign-in, so a test changes someone's groups by rewriting it.
// Clients register themselves over HTTP (dynamic registration), as each test's app has its own address.
// The provider's own development login page is what people (and the browser test) fill in.
import { readFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
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
  scopes: ["openid", "profile", "email", "groups"],
  claims: { openid: ["sub"], profile: ["name", "preferred_username"], email: ["email"], groups: ["groups"] },
  conformIdTokenClaims: false, // the ID token carries the claims servflow maps (groups), as many providers do
  ttl: { Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, preferred_username: id, ...account }; } };
  },
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));
provider.listen(Number(port), "127.0.0.1", () => console.log(`listening ${issuer}`));
