// An OpenID provider the hub's authors did not write, for the hub's tests:
// panva's certified oidc-provider (npm, pinned in package-lock.json), on a
// free loopback port. The Go test passes its settings as JSON in
// HUB_TEST_PROVIDER and reads {"issuer": URL} from the first line of
// stdout. Its development login form takes any login and password; the
// login picks the account, whose claims the test set.
//
// Settings:
//   client      {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   accounts    {LOGIN: {claim: value, ...}} (sub defaults to LOGIN)
//   scopes      {SCOPE: [claim, ...]}: scopes beyond openid, profile and
//               email, and the claims they release
//   idTokenClaims  true puts every claim in the ID token too; by default,
//                  as the library does, the ID token of a code flow that
//                  also issues an access token carries none, and only
//                  UserInfo gives them
//   api         {resource, audience, claims}: client_credentials tokens
//               for the hub's API, JWT (at+jwt) with those extra claims
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.HUB_TEST_PROVIDER || '{}');
const accounts = settings.accounts || {};
const scopes = settings.scopes || {};
const scoped = new Set(['sub', 'email', 'email_verified', ...Object.values(scopes).flat()]);
const profileClaims = new Set(['name', 'preferred_username', 'upn']);
for (const claims of Object.values(accounts)) {
  for (const k of Object.keys(claims)) {
    if (!scoped.has(k)) profileClaims.add(k);
  }
}

const configuration = {
  clients: [{
    ...settings.client,
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code'],
  }],
  // The hub asks for openid, profile and email: every other claim the
  // accounts hold travels with profile, as a provider's mapper would put it.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: [...profileClaims],
    ...scopes,
  },
  scopes: ['openid', 'offline_access', ...Object.keys(scopes)],
  conformIdTokenClaims: !settings.idTokenClaims,
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // No consent screen: the test's person has agreed to everything asked.
  async loadExistingGrant(ctx) {
    const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (id) return ctx.oidc.provider.Grant.find(id);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(['openid', 'email', 'profile', ...Object.keys(scopes)].join(' '));
    await grant.save();
    return grant;
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => false,
      async getResourceServerInfo(ctx, resource) {
        if (!settings.api || resource !== settings.api.resource) throw new Error('unknown resource');
        return { scope: 'api', audience: settings.api.audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  async extraTokenClaims(ctx, token) {
    return token.kind === 'ClientCredentials' ? settings.api?.claims : undefined;
  },
  ttl: { AccessToken: 3600, ClientCredentials: 3600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
};

const server = (await import('node:http')).createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
