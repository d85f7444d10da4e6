// A real OpenID provider (panva's oidc-provider) dressed as a Microsoft Entra ID v2 tenant, for
// Vigie's integration tests. Started by tests/support/oidc_provider.cc, one process per test:
//   node entra_provider.mjs --config FILE
// It listens on 127.0.0.1 (port 0 = any free port), prints exactly one JSON line on stdout
// ({"issuer":…,"port":…}) once it accepts connections, and exits on SIGTERM or when stdin closes,
// so a crashed test never leaks it. Logins need no UI: every interaction completes at once as
// the user picked by POST /test/next-login. A Microsoft Graph fake serves group memberships.
//
// Config (JSON): {"port":0, "tenant":"<guid>", "tls":{"cert":PEM file,"key":PEM file} (optional),
//   "clients":[{client_id, client_secret?, redirect_uris?, post_logout_redirect_uris?, grant_types?,
//               token_endpoint_auth_method?, jwks? (private_key_jwt), roles? (app roles), oid? (SP)}],
//   "users":{"alice":{oid, name, email, preferred_username, groups:[ids], roles:[…], overage?}},
//   "ttl":{"id_token":s,"access_token":s,"refresh_token":s}, "graph_page_size":n,
//   "pkce_required":bool (default true), "apis":{"api://x":{"app_id":"<guid>"}} (aud of its tokens)}
// Endpoints: <base>/<tenant>/v2.0/.well-known/openid-configuration, <base>/<tenant>/oauth2/v2.0/
//   {authorize,token,logout}, <base>/<tenant>/discovery/v2.0/keys; Graph fake under <base>/graph/
//   (v1.0/me/transitiveMemberOf[/microsoft.graph.group], v1.0/{me,users/{oid}}/getMemberObjects,
//   oidc/userinfo); test controls: POST /test/next-login {"user"}, POST /test/rotate-keys
//   {"drop_old"}, POST /test/ttl {…}, POST /test/reset-counters, GET /test/state.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

import Provider, { interactionPolicy } from 'oidc-provider';

// oidc-provider prints notices with console.info (stdout); stdout carries only the ready line.
console.log = console.error;
console.info = console.error;

const GRAPH = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const GROUP_OVERAGE_LIMIT = 200; // Entra's limit for groups in a JWT before it emits an overage claim

// ---------------------------------------------------------------------------------------------
// Configuration
const args = process.argv.slice(2);
const configIndex = args.indexOf('--config');
if (configIndex < 0 || !args[configIndex + 1]) {
  console.error('usage: node entra_provider.mjs --config FILE');
  process.exit(2);
}
const config = JSON.parse(fs.readFileSync(args[configIndex + 1], 'utf8'));
const tenant = config.tenant ?? '3f0b5c1e-8d2a-4c7b-9e61-2a4d8f0b7c35';
const mount = `/${tenant}`;
const users = config.users ?? { alice: { oid: crypto.randomUUID(), name: 'Alice', preferred_username: 'alice@contoso.test' } };
const usersByOid = new Map();
for (const [username, u] of Object.entries(users)) {
  u.oid ??= crypto.randomUUID();
  u.username = username;
  usersByOid.set(u.oid, u);
}
const ttl = {
  id_token: 3600, access_token: 3600, refresh_token: 86400, ...config.ttl,
};
const graphPageSize = config.graph_page_size ?? 100;
const pkceRequired = config.pkce_required ?? true;
// Optional: {"api://vigie-api": {"app_id": "<guid>"}}; a v2 access token's aud is the API's app id.
const apis = config.apis ?? {};
let nextLogin = Object.keys(users)[0];

// Extra Entra metadata kept beside the clients (oidc-provider rejects unknown client metadata):
// the service principal's object id and the app roles assigned to it.
const clientExtras = new Map();
const clients = (config.clients ?? []).map((c) => {
  const { roles, oid, ...meta } = c;
  clientExtras.set(c.client_id, { roles: roles ?? [], oid: oid ?? crypto.randomUUID() });
  meta.grant_types ??= ['authorization_code', 'refresh_token'];
  if (!meta.grant_types.includes('authorization_code')) {
    meta.response_types ??= [];
    meta.redirect_uris ??= [];
  }
  if (meta.token_endpoint_auth_method === 'none') meta.application_type ??= 'native';
  return meta;
});

// ---------------------------------------------------------------------------------------------
// Observable state for tests (GET /test/state).
const counters = {
  requests: {}, // by oidc-provider route name: discovery, jwks, authorization, token, end_session…
  token_requests: {}, // successful token responses by grant_type
  token_errors: {}, // failed token requests by grant_type
  refresh_token_uses: 0, // successful refresh_token grants
  refresh_token_reuse: 0, // a rotated (already used) refresh token presented again
  logins: 0, // completed login prompts (not consent-only interactions, not single sign-on)
  logouts: 0, // completed end_session confirmations
  graph_requests: 0,
  graph_rejections: 0,
};
const bump = (map, key) => { map[key] = (map[key] ?? 0) + 1; };

// ---------------------------------------------------------------------------------------------
// Signing keys. The newest key signs (first in the JWKS); older keys stay published until dropped.
function newKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  // Entra's kids are base64url thumbprint-like strings (also given as x5t).
  const kid = crypto.randomBytes(20).toString('base64url').slice(0, 27);
  return { ...jwk, kid, use: 'sig', alg: 'RS256' };
}
let signingKeys = [newKey()];
const publicKeyFor = (kid) => {
  const k = signingKeys.find((key) => key.kid === kid);
  if (!k) return undefined;
  return crypto.createPublicKey({ key: { kty: k.kty, n: k.n, e: k.e }, format: 'jwk' });
};

// ---------------------------------------------------------------------------------------------
// Entra identifiers and claims.
// Entra's `sub` is pairwise: stable for one user and one application, different across apps and
// never equal to `oid`. 43 base64url characters, like the real thing.
function pairwiseSub(oid, clientId) {
  return crypto.createHash('sha256').update(`${tenant}:${clientId}:${oid}`).digest('base64url');
}
const uti = () => crypto.randomBytes(16).toString('base64url').slice(0, 22);

function groupClaims(user) {
  const groups = user.groups ?? [];
  if (user.overage || groups.length > GROUP_OVERAGE_LIMIT) {
    // Entra leaves `groups` out and points at Graph instead (distributed claims, OIDC Core 5.6.2).
    return {
      _claim_names: { groups: 'src1' },
      _claim_sources: { src1: { endpoint: `${baseUrl}/graph/v1.0/users/${user.oid}/getMemberObjects` } },
    };
  }
  return { groups };
}

function userClaims(user, clientId) {
  return {
    sub: pairwiseSub(user.oid, clientId),
    oid: user.oid,
    tid: tenant,
    ver: '2.0',
    uti: uti(),
    name: user.name,
    preferred_username: user.preferred_username,
    email: user.email,
    roles: user.roles?.length ? user.roles : undefined,
    ...groupClaims(user),
  };
}

// The resource a scope value belongs to, the way Entra reads v2 scopes: "api://x/read" → api://x,
// "<guid>/.default" → that app, bare "User.Read" → Microsoft Graph, OIDC scopes → none.
function resourceOf(scope) {
  if (OIDC_SCOPES.includes(scope)) return undefined;
  const slash = scope.lastIndexOf('/');
  if (slash < 0) return GRAPH;
  const prefix = scope.slice(0, slash);
  if (prefix === GRAPH || prefix === GRAPH_APP_ID) return GRAPH;
  if (!prefix.includes(':')) return `api://${prefix}`; // a bare application id
  return prefix;
}
const scopesSeen = new Map(); // resource → every scope value requested for it
function rememberScopes(scopeParam) {
  for (const s of (scopeParam ?? '').split(' ').filter(Boolean)) {
    const r = resourceOf(s);
    if (!r) continue;
    if (!scopesSeen.has(r)) scopesSeen.set(r, new Set());
    scopesSeen.get(r).add(s);
  }
}
function audienceOf(resource) {
  if (resource === GRAPH) return GRAPH;
  if (apis[resource]?.app_id) return apis[resource].app_id;
  if (resource.startsWith('api://') && /^[0-9a-f-]{36}$/i.test(resource.slice(6))) return resource.slice(6);
  return resource;
}
// The scp claim lists scope names without their resource prefix.
const shortScope = (s) => (s.includes('/') ? s.slice(s.lastIndexOf('/') + 1) : s);

function resolveLoginUser(params) {
  // A login_hint naming a known user wins, as Entra pre-selects that account; else the test's pick.
  const hint = params?.login_hint;
  if (hint) {
    const u = Object.values(users).find((x) => x.username === hint || x.preferred_username === hint || x.email === hint);
    if (u) return u;
  }
  return users[nextLogin];
}

// ---------------------------------------------------------------------------------------------
// The provider. Rebuilt on key rotation (oidc-provider's keystore is fixed per instance); the
// in-memory adapter's storage is module-wide, so sessions, codes and refresh tokens survive.
let baseUrl;
let issuer;
let provider;

const cookieKeys = [crypto.randomBytes(32).toString('base64url')];

function buildProvider() {
  const policy = interactionPolicy.base();
  // A test that switches users with /test/next-login gets that user even when the browser still
  // holds a session for the previous one.
  policy.get('login').checks.add(new interactionPolicy.Check('test_next_login', 'the test selected another user', (ctx) => {
    const { session, params } = ctx.oidc;
    const wanted = resolveLoginUser(params);
    return Boolean(session.accountId && wanted && session.accountId !== wanted.oid);
  }));

  const p = new Provider(issuer, {
    clients,
    jwks: { keys: signingKeys },
    cookies: {
      keys: cookieKeys,
      // Chromium drops SameSite=None cookies that are not Secure, so plain-HTTP runs use Lax.
      long: { httpOnly: true, sameSite: config.tls ? 'none' : 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub', 'oid', 'tid', 'ver', 'uti', 'groups', 'roles'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    findAccount: async (ctx, id) => {
      const user = usersByOid.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() { return userClaims(user, ctx.oidc.client?.clientId ?? ''); },
      };
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    pkce: { required: () => pkceRequired, methods: ['S256'] },
    routes: {
      authorization: '/oauth2/v2.0/authorize',
      token: '/oauth2/v2.0/token',
      jwks: '/discovery/v2.0/keys',
      end_session: '/oauth2/v2.0/logout',
      userinfo: '/oidc/userinfo',
      device_authorization: '/oauth2/v2.0/devicecode',
      code_verification: '/oauth2/v2.0/device',
    },
    interactions: {
      policy,
      url: (ctx, interaction) => `${mount}/oauth2/v2.0/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      // Entra has no PAR endpoint.
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      // OIDC Back-Channel Logout 1.0: at end_session the provider POSTs a logout_token to each
      // client's backchannel_logout_uri (Entra has no back-channel logout; other IdPs do).
      backchannelLogout: { enabled: true },
      // Entra serves UserInfo from Graph (see the Graph fake), not from the token service.
      userinfo: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Entra signs the user out without asking when the request is well formed; a browser
        // auto-submits this form (tests/support/browser.h does too).
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><head><title>Sign out</title>
<script>document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });</script>
</head><body>${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}</body></html>`;
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = '<!DOCTYPE html><html><head><title>Signed out</title></head><body>You signed out of your account.</body></html>';
        },
      },
      resourceIndicators: {
        enabled: true,
        // Entra v2 has no `resource` parameter: the resource comes from the scopes. An
        // authorization request without an API scope gets a Graph token, as on Entra.
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf[0];
          rememberScopes(ctx.oidc.params.scope);
          const resources = [...new Set((ctx.oidc.params.scope ?? '').split(' ').filter(Boolean).map(resourceOf).filter(Boolean))];
          if (resources.length === 0) return ctx.oidc.route === 'token' ? undefined : GRAPH;
          return resources.length === 1 ? resources[0] : resources;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource) => {
          rememberScopes(ctx.oidc.params?.scope);
          const scopes = new Set([`${resource}/.default`, ...(scopesSeen.get(resource) ?? [])]);
          return {
            scope: [...scopes].join(' '),
            audience: audienceOf(resource),
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // Reshape oidc-provider's RFC 9068 access token into an Entra v2 access token.
        jwt: async (ctx, token, jwt) => {
          const { payload } = jwt;
          const clientId = token.clientId;
          const extras = clientExtras.get(clientId) ?? { roles: [] };
          const client = ctx?.oidc?.client;
          const authMethod = client?.clientAuthMethod;
          const out = {
            aud: payload.aud,
            iss: payload.iss,
            iat: payload.iat,
            nbf: payload.iat,
            exp: payload.exp,
            azp: clientId,
            // 0 public client, 1 client secret, 2 certificate / signed assertion.
            azpacr: authMethod === 'none' ? '0' : (authMethod === 'private_key_jwt' ? '2' : '1'),
            tid: tenant,
            uti: payload.jti,
            ver: '2.0',
          };
          const user = token.accountId ? usersByOid.get(token.accountId) : undefined;
          if (user) {
            const scp = (token.scope ?? '').split(' ').filter(Boolean).map(shortScope).filter((s) => s !== '.default');
            Object.assign(out, {
              sub: pairwiseSub(user.oid, clientId),
              oid: user.oid,
              name: user.name,
              preferred_username: user.preferred_username,
              scp: scp.length ? scp.join(' ') : 'User.Read',
              idtyp: 'user',
            });
            if (user.roles?.length) out.roles = user.roles;
            if (payload.aud !== GRAPH) Object.assign(out, groupClaims(user));
          } else {
            // An application (client credentials) token: the subject is the service principal.
            Object.assign(out, { sub: extras.oid, oid: extras.oid, idtyp: 'app' });
            if (extras.roles.length) out.roles = extras.roles;
          }
          jwt.payload = out;
          jwt.header = { typ: 'JWT' };
        },
      },
    },
    ttl: {
      AccessToken: () => ttl.access_token,
      ClientCredentials: () => ttl.access_token,
      IdToken: () => ttl.id_token,
      RefreshToken: () => ttl.refresh_token,
      AuthorizationCode: 600,
      Interaction: 600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    // Every refresh rotates the refresh token, and a rotated one presented again revokes the
    // grant. Stricter than Entra (which leaves old refresh tokens valid), so a client that
    // refreshes twice in parallel fails visibly.
    rotateRefreshToken: () => true,
    clientBasedCORS: () => true,
    discovery: {
      cloud_instance_name: 'microsoftonline.com',
      tenant_region_scope: 'EU',
      frontchannel_logout_supported: true,
      http_logout_supported: true,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><title>Sign in error</title></head><body><h1>${out.error}</h1><p>${String(out.error_description ?? '').replace(/[<>&]/g, '')}</p></body></html>`;
    },
  });

  p.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (!route) return;
    bump(counters.requests, route);
    if (route === 'token') {
      const grantType = ctx.oidc.params?.grant_type ?? String(ctx.request.body?.grant_type ?? 'unknown');
      if (ctx.status === 200) {
        bump(counters.token_requests, grantType);
        if (grantType === 'refresh_token') counters.refresh_token_uses += 1;
        // Entra's token response lists the access token's scopes plus the OIDC ones granted.
        if (!ctx.body.scope && ctx.body.access_token) {
          const at = JSON.parse(Buffer.from(ctx.body.access_token.split('.')[1], 'base64url').toString());
          const oidc = String(ctx.oidc.entities.AuthorizationCode?.scope ?? ctx.oidc.entities.RefreshToken?.scope ?? '')
            .split(' ').filter((s) => OIDC_SCOPES.includes(s));
          ctx.body.scope = [...String(at.scp ?? '').split(' ').filter(Boolean), ...oidc].join(' ') || undefined;
        }
      } else {
        bump(counters.token_errors, grantType);
        // Entra error bodies carry these fields beside the RFC 6749 ones.
        if (ctx.body && typeof ctx.body === 'object') {
          Object.assign(ctx.body, {
            error_codes: [ctx.body.error === 'invalid_client' ? 7000215 : 70000],
            timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
            trace_id: crypto.randomUUID(),
            correlation_id: crypto.randomUUID(),
          });
        }
      }
    } else if (route === 'end_session_confirm' && ctx.status === 303) {
      counters.logouts += 1;
    } else if (route === 'discovery' && ctx.status === 200) {
      Object.assign(ctx.body, {
        // Entra v2 advertises its UserInfo on Graph and only pairwise subjects.
        userinfo_endpoint: `${baseUrl}/graph/oidc/userinfo`,
        subject_types_supported: ['pairwise'],
        msgraph_host: new URL(baseUrl).host,
        cloud_graph_host_name: new URL(baseUrl).host,
      });
      delete ctx.body.userinfo_signing_alg_values_supported;
    }
  });

  p.on('grant.error', (ctx, err) => {
    if (err.error_detail === 'refresh token already used') counters.refresh_token_reuse += 1;
  });
  p.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));
  return p;
}

// ---------------------------------------------------------------------------------------------
// Interactions: no UI. Login as the chosen user and grant everything that was asked for.
async function completeInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { params, prompt, session } = details;
  const user = resolveLoginUser(params);
  const accountId = prompt.name === 'login' || !session?.accountId ? user.oid : session.accountId;

  let grant;
  if (details.grantId) grant = await provider.Grant.find(details.grantId);
  if (!grant || grant.accountId !== accountId) grant = new provider.Grant({ accountId, clientId: params.client_id });
  const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
  grant.addOIDCScope(scopes.filter((s) => OIDC_SCOPES.includes(s)).join(' '));
  const resources = [params.resource ?? []].flat();
  for (const r of resources) {
    const rs = scopes.filter((s) => resourceOf(s) === r);
    grant.addResourceScope(r, rs.join(' '));
  }
  if (params.claims) {
    const claims = JSON.parse(params.claims);
    for (const part of ['id_token', 'userinfo']) {
      if (claims[part]) grant.addOIDCClaims(Object.keys(claims[part]));
    }
  }
  const grantId = await grant.save();
  if (prompt.name === 'login') counters.logins += 1;
  await provider.interactionFinished(req, res, {
    login: { accountId, amr: ['pwd'], remember: true },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

// ---------------------------------------------------------------------------------------------
// Microsoft Graph fake (v1.0): /me/transitiveMemberOf, /users/{id}/getMemberObjects, UserInfo.
function graphError(res, status, code, message) {
  counters.graph_rejections += 1;
  const now = new Date().toISOString().replace(/\.\d+Z$/, '');
  const headers = { 'content-type': 'application/json' };
  if (status === 401) {
    headers['www-authenticate'] = `Bearer realm="", authorization_uri="${baseUrl}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`;
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({
    error: {
      code,
      message,
      innerError: { date: now, 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() },
    },
  }));
}

// Verifies a Graph access token: RS256 with a key this provider publishes, our issuer, the Graph
// audience, inside its lifetime. Returns the payload or answers 401 itself.
function graphToken(req, res) {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return undefined;
  }
  const parts = m[1].split('.');
  let header;
  let payload;
  try {
    if (parts.length !== 3) throw new Error();
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
  } catch {
    graphError(res, 401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).');
    return undefined;
  }
  const key = header.alg === 'RS256' ? publicKeyFor(header.kid) : undefined;
  const ok = key && crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
  if (!ok) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid signature.');
    return undefined;
  }
  if (payload.iss !== issuer) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid issuer.');
    return undefined;
  }
  if (payload.aud !== GRAPH && payload.aud !== GRAPH_APP_ID) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    return undefined;
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= now) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    return undefined;
  }
  return payload;
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

async function handleGraph(req, res, url) {
  counters.graph_requests += 1;
  const token = graphToken(req, res);
  if (!token) return;
  const path = url.pathname.slice('/graph'.length);
  const appToken = token.idtyp === 'app';
  const appMayRead = appToken && (token.roles ?? []).some((r) => ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'User.Read.All'].includes(r));

  if (req.method === 'GET' && path === '/oidc/userinfo') {
    const user = usersByOid.get(token.oid);
    if (!user) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    const [given, ...family] = String(user.name ?? '').split(' ');
    return sendJson(res, 200, {
      sub: token.sub, name: user.name, given_name: given, family_name: family.join(' '), email: user.email,
    });
  }

  let m = /^\/v1\.0\/me\/transitiveMemberOf(\/microsoft\.graph\.group)?$/.exec(path);
  if (req.method === 'GET' && m) {
    const user = usersByOid.get(token.oid);
    if (appToken || !user) return graphError(res, 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
    const cast = Boolean(m[1]);
    const groups = user.groups ?? [];
    // Graph may return fewer items than $top asks for (its docs say to always follow nextLink):
    // graph_page_size is the server-side page cap, so clients that ask for 999 still page.
    const top = Math.min(Number(url.searchParams.get('$top') ?? graphPageSize) || graphPageSize, 999, graphPageSize);
    const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || 0);
    const select = url.searchParams.get('$select');
    const page = groups.slice(skip, skip + top).map((id, i) => {
      const item = cast ? {} : { '@odata.type': '#microsoft.graph.group' };
      item.id = id;
      if (!select) Object.assign(item, { displayName: `Group ${skip + i + 1}`, securityEnabled: true });
      return item;
    });
    const context = cast ? `https://graph.microsoft.com/v1.0/$metadata#groups${select ? `(${select})` : ''}`
      : `https://graph.microsoft.com/v1.0/$metadata#directoryObjects${select ? `(${select})` : ''}`;
    const body = { '@odata.context': context };
    if (skip + top < groups.length) {
      const next = new URL(url.href);
      next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
      if (!url.searchParams.has('$top')) next.searchParams.delete('$top');
      body['@odata.nextLink'] = `${baseUrl}${next.pathname}${next.search}`;
    }
    body.value = page;
    return sendJson(res, 200, body);
  }

  m = /^\/v1\.0\/(?:me|users\/([0-9a-fA-F-]{36}))\/getMemberObjects$/.exec(path);
  if (req.method === 'POST' && m) {
    const oid = m[1] ?? token.oid;
    const user = usersByOid.get(oid);
    // A user may read their own memberships; an application needs a directory read role.
    if (!(appMayRead || (!appToken && token.oid === oid))) {
      return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    if (!user) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${oid}' does not exist or one of its queried reference-property objects are not present.`);
    await readBody(req);
    return sendJson(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)', value: user.groups ?? [] });
  }
  return graphError(res, 400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`);
}

// ---------------------------------------------------------------------------------------------
// Test controls.
async function handleTest(req, res, url) {
  const body = req.method === 'POST' ? await readBody(req) : '';
  const json = body ? JSON.parse(body) : {};
  switch (`${req.method} ${url.pathname}`) {
    case 'POST /test/next-login':
      if (!users[json.user]) return sendJson(res, 400, { error: `unknown user ${json.user}` });
      nextLogin = json.user;
      return sendJson(res, 200, { user: nextLogin });
    case 'POST /test/rotate-keys': {
      const key = newKey();
      signingKeys = json.drop_old ? [key] : [key, ...signingKeys];
      provider = buildProvider();
      return sendJson(res, 200, { kid: key.kid, kids: signingKeys.map((k) => k.kid) });
    }
    case 'POST /test/ttl':
      for (const k of ['id_token', 'access_token', 'refresh_token']) {
        if (json[k] !== undefined) ttl[k] = Number(json[k]);
      }
      return sendJson(res, 200, ttl);
    case 'POST /test/reset-counters':
      for (const k of Object.keys(counters)) counters[k] = typeof counters[k] === 'number' ? 0 : {};
      return sendJson(res, 200, counters);
    case 'GET /test/state':
      return sendJson(res, 200, {
        ...counters, next_login: nextLogin, ttl, kids: signingKeys.map((k) => k.kid), signing_kid: signingKeys[0].kid,
      });
    default:
      return sendJson(res, 404, { error: 'unknown test endpoint' });
  }
}

// oidc-provider follows OIDC Core and ignores offline_access unless prompt=consent; Entra issues a
// refresh token for offline_access alone. Asking for consent costs nothing here (interactions
// complete at once), so add it; not to prompt=none, which must stay alone. Done on the raw URL
// because oidc-provider derives its mount path from it.
function addConsentPrompt(req, url) {
  const scopes = (url.searchParams.get('scope') ?? '').split(' ');
  const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return;
  url.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  req.url = `${url.pathname}${url.search}`;
}

// ---------------------------------------------------------------------------------------------
// HTTP front: /test/*, /graph/*, the interaction URL, the v2.0 discovery path; the rest of
// /<tenant>/* goes to oidc-provider mounted at /<tenant> (so endpoints get Entra's paths:
// /<tenant>/oauth2/v2.0/authorize, …/token, …/logout, /<tenant>/discovery/v2.0/keys).
async function dispatch(req, res) {
  const url = new URL(req.url, baseUrl);
  try {
    if (url.pathname.startsWith('/test/')) return await handleTest(req, res, url);
    if (url.pathname.startsWith('/graph/')) return await handleGraph(req, res, url);
    if (url.pathname.startsWith(`${mount}/oauth2/v2.0/interaction/`)) return await completeInteraction(req, res);
    if (url.pathname === `${mount}/.well-known/openid-configuration`) {
      // Entra serves a v1 document here (other issuer); tests must use the v2.0 one.
      return sendJson(res, 404, { error: 'this fixture serves only the v2.0 discovery document' });
    }
    if (url.pathname === `${mount}/v2.0/.well-known/openid-configuration`) {
      req.originalUrl = `${mount}/.well-known/openid-configuration${url.search}`;
      req.url = `/.well-known/openid-configuration${url.search}`;
      return provider.callback()(req, res);
    }
    if (url.pathname.startsWith(`${mount}/`)) {
      if (req.method === 'GET' && url.pathname === `${mount}/oauth2/v2.0/authorize`) addConsentPrompt(req, url);
      req.originalUrl = req.url;
      req.url = req.url.slice(mount.length);
      return provider.callback()(req, res);
    }
    return sendJson(res, 404, { error: 'not found' });
  } catch (err) {
    console.error('request failed:', req.method, req.url, err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err.message ?? err) });
    else res.end();
  }
}

const server = config.tls
  ? https.createServer({ cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) }, dispatch)
  : http.createServer(dispatch);

server.listen(config.port ?? 0, '127.0.0.1', () => {
  const { port } = server.address();
  baseUrl = `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  issuer = `${baseUrl}/${tenant}/v2.0`;
  provider = buildProvider();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test holds our stdin open; when it closes (test ended or crashed) we go too.
if (!process.stdin.isTTY) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
