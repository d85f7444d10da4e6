// Browser end-to-end scenarios: headless Chromium (Debian `chromium`, driven by npm playwright-core)
// signs in through a running Vigie against the Entra-shaped provider (tests/support/oidc). Run by
// tests/e2e/browser_login_test.cc, which starts the bed and asserts on what the upstream received;
// this script asserts on what the browser sees.
//   node login.spec.mjs --scenario NAME --url http://127.0.0.1:VIGIE --provider http://127.0.0.1:IDP
// Prints progress on stderr and one line `RESULT {json}` on stdout; exits 0 when every check
// passed, 1 on a failed check, 2 on bad usage or when Chromium cannot be launched.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';

// playwright-core is installed with the provider fixture (tests/support/oidc/package.json).
const require = createRequire(new URL('../support/oidc/package.json', import.meta.url));

const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 20000; // any single wait; a hung step fails instead of hanging the test

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const scenario = arg('scenario');
const base = arg('url');
const providerBase = arg('provider');
if (!scenario || !base || !providerBase) {
  console.error('usage: node login.spec.mjs --scenario NAME --url VIGIE_BASE_URL --provider PROVIDER_BASE_URL');
  process.exit(2);
}

class CheckFailed extends Error {}
function check(condition, message, detail) {
  if (condition) {
    console.error(`  ok   ${message}`);
    return;
  }
  throw new CheckFailed(`${message}${detail === undefined ? '' : `\n       got: ${JSON.stringify(detail)}`}`);
}

const SESSION_COOKIE = '__Host-vigie';
const isLoginCookie = (c) => c.name.startsWith(`${SESSION_COOKIE}_login_`);
// Vigie's cookies in the browser's jar. Not context.cookies(base): for an http URL Playwright
// leaves out Secure cookies unless the host is `localhost`, although Chromium keeps and sends
// them on 127.0.0.1 too. Cookies ignore ports, so the provider's (on another port) are filtered out.
const vigieCookies = async (context) => (await context.cookies())
  .filter((c) => c.domain === new URL(base).hostname && c.name.startsWith(SESSION_COOKIE));
const names = (cookies) => cookies.map((c) => c.name);
// The session cookie and its continuation chunks (__Host-vigie_1…) when the sealed session is large.
const isSessionCookie = (c) => c.name === SESSION_COOKIE || /^__Host-vigie_\d+$/.test(c.name);
const path = (url) => { const u = new URL(url); return u.pathname + u.search; };

// Every URL of the main frame's navigation that produced `response`, first request first.
function redirectChain(response) {
  const urls = [];
  for (let r = response.request(); r; r = r.redirectedFrom()) urls.unshift(r.url());
  return urls;
}

// The upstream's echo as the page renders it (Chromium shows a JSON body as text).
async function echoOf(page) {
  const text = await page.locator('body').innerText();
  try {
    return JSON.parse(text);
  } catch {
    throw new CheckFailed(`the page at ${page.url()} is not the upstream's JSON echo: ${text.slice(0, 300)}`);
  }
}
const echoHeader = (echo, name) => echo.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

// Navigates to a protected page with no session and checks the whole login round trip.
async function loginThrough(page, target) {
  const response = await page.goto(base + target);
  const chain = redirectChain(response);
  check(response.status() === 200, `${target}: the login ends with 200`, response.status());
  check(page.url() === base + target, `${target}: the browser is back where it wanted to go`, page.url());
  check(chain[1]?.startsWith(`${base}/oauth2/start?rd=`), `${target}: Vigie sent the browser to /oauth2/start`, chain);
  check(chain.some((u) => u.startsWith(providerBase) && new URL(u).pathname.endsWith('/oauth2/v2.0/authorize')),
    `${target}: the browser went through the provider's authorize endpoint`, chain);
  check(chain.some((u) => u.startsWith(`${base}/oauth2/callback?`)), `${target}: the provider answered on /oauth2/callback`, chain);
  return { response, chain };
}

// A fresh browser profile (cookies, cache) whose every wait is bounded.
const newContextOf = (browser) => async (options) => {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  return context;
};

const scenarios = {
  // A clinician opens an OpenMRS page, signs in at the provider and lands on the page.
  async login(newContext) {
    const context = await newContext();
    const page = await context.newPage();
    const target = '/openmrs/app/home?from=bookmark';
    const { chain } = await loginThrough(page, target);
    const echo = await echoOf(page);
    check(echo.target === target, 'the page renders the upstream echo of the requested target', echo.target);
    check(echoHeader(echo, 'X-Forwarded-User') === 'alice@contoso.test', 'the echo shows the identity Vigie forwarded',
      echoHeader(echo, 'X-Forwarded-User'));

    const documentCookie = await page.evaluate(() => document.cookie);
    check(!documentCookie.includes('vigie'), 'page scripts cannot see the Vigie cookies (document.cookie)', documentCookie);
    const cookies = await vigieCookies(context);
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    check(session, `the browser keeps a ${SESSION_COOKIE} cookie`, names(cookies));
    check(session.httpOnly, 'the session cookie is HttpOnly', session);
    check(session.secure, 'the session cookie is Secure (kept over http on loopback, as Chromium allows)', session);
    check(session.sameSite === 'Lax', 'the session cookie is SameSite=Lax', session.sameSite);
    check(session.path === '/' && session.domain === new URL(base).hostname, 'the session cookie is host-only with Path=/', session);
    check(session.expires > Date.now() / 1000, 'the session cookie is persistent (Max-Age)', session.expires);
    check(!session.value.includes('alice'), 'the session cookie is sealed, not readable', session.value.slice(0, 40));
    const chunks = cookies.filter(isSessionCookie);
    for (const c of chunks) {
      check(c.httpOnly && c.secure && c.sameSite === session.sameSite && c.path === '/'
        && Math.abs(c.expires - session.expires) < 2,
        `session chunk ${c.name} has the same attributes`, c);
    }
    check(chunks.every((c) => c.name.length + c.value.length <= 4096), 'every chunk fits Chromium\'s 4096-byte cookie limit',
      chunks.map((c) => c.name.length + c.value.length));
    check(chunks.length === cookies.length, 'the per-login state cookie is gone after the callback', names(cookies));

    // Logged in now: the next page comes straight from the upstream, with no redirect.
    const api = await page.goto(`${base}/openmrs/ws/rest/v1/patient?q=Jeanne`);
    check(api.status() === 200 && redirectChain(api).length === 1, 'the next page needs no new login', redirectChain(api));
    const patients = await echoOf(page);
    check(patients.results?.[0]?.display === '100HM - Jeanne Martin', 'the fake OpenMRS answers through Vigie', patients);
    await context.close();
    return {
      chain: chain.map(path),
      document_cookie: documentCookie,
      session_cookie: { ...session, value: undefined },
      session_cookie_bytes: chunks.map((c) => c.name.length + c.value.length),
    };
  },

  // Two tabs of one browser start their logins at the same time. Each tab's request to the
  // provider's authorize endpoint (a redirect hop, which Playwright's context.route() never sees,
  // hence CDP's Fetch domain) is held until both tabs have sent theirs, so both per-login state
  // cookies exist side by side before either callback runs: Vigie names that cookie after the
  // login's state, so neither login overwrites the other's.
  async parallel_tabs(newContext) {
    const context = await newContext();
    const held = [];
    let releaseBoth;
    const bothHeld = new Promise((resolve) => { releaseBoth = resolve; });
    const tabs = [];
    for (const target of ['/openmrs/tab-a', '/openmrs/tab-b']) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      cdp.on('Fetch.requestPaused', async ({ requestId, request }) => {
        held.push(request.url);
        if (held.length === 2) releaseBoth();
        await bothHeld;
        await cdp.send('Fetch.continueRequest', { requestId });
      });
      // Only a login's first authorize request has a query ('?' is escaped: CDP reads it as a wildcard).
      await cdp.send('Fetch.enable', {
        patterns: [{ urlPattern: `${providerBase}/*/oauth2/v2.0/authorize\\?*`, requestStage: 'Request' }],
      });
      tabs.push({ page, target, cdp });
    }
    const navigations = Promise.all(tabs.map(({ page, target }) => page.goto(base + target)));
    await Promise.race([bothHeld, navigations.then(() => { throw new CheckFailed('a login finished before both had started'); })]);
    const during = await vigieCookies(context);
    const loginCookies = names(during.filter(isLoginCookie));
    check(loginCookies.length === 2 && loginCookies[0] !== loginCookies[1] && during.length === 2,
      'while both logins are in flight, each has its own state cookie and there is no session yet', names(during));

    const responses = await navigations;
    for (const [i, { page, target, cdp }] of tabs.entries()) {
      await cdp.send('Fetch.disable');
      check(responses[i].status() === 200 && page.url() === base + target, `tab ${target} ends logged in on its page`,
        { status: responses[i].status(), url: page.url() });
      const echo = await echoOf(page);
      check(echo.target === target && echoHeader(echo, 'X-Forwarded-User') === 'alice@contoso.test',
        `tab ${target} shows the upstream's answer for alice`, echo.target);
    }
    const after = await vigieCookies(context);
    check(after.some((c) => c.name === SESSION_COOKIE) && after.every(isSessionCookie),
      'both state cookies were consumed, one session remains', names(after));

    const again = await tabs[0].page.goto(`${base}/openmrs/after`);
    check(again.status() === 200 && redirectChain(again).length === 1, 'the surviving session serves the next page',
      redirectChain(again));
    await context.close();
    return { login_cookies: loginCookies, held: held.map(path), chains: responses.map((r) => redirectChain(r).map(path)) };
  },

  // Sign-out clears the session, signs out at the provider (its logout page posts itself) and
  // comes back to Vigie; the next protected page starts a new login.
  async sign_out(newContext) {
    const context = await newContext();
    const page = await context.newPage();
    await loginThrough(page, '/openmrs/app/home');
    const visited = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) visited.push(`${r.method()} ${r.url()}`);
    });
    // The logout page submits its form on DOMContentLoaded: wait for where that lands, not for goto's load.
    await page.goto(`${base}/oauth2/sign_out`, { waitUntil: 'commit' });
    await page.waitForURL(`${base}/`, { waitUntil: 'load' });
    const logout = visited.find((v) => v.startsWith(`GET ${providerBase}`) && v.includes('/oauth2/v2.0/logout?'));
    check(logout, 'sign_out sent the browser to the provider logout endpoint', visited);
    const logoutUrl = new URL(logout.slice(4));
    check(logoutUrl.searchParams.get('post_logout_redirect_uri') === `${base}/`
      && logoutUrl.searchParams.get('client_id') === 'vigie' && logoutUrl.searchParams.has('id_token_hint'),
    'the logout request names the client, an id_token_hint and the way back', logout);
    check(visited.some((v) => v.startsWith(`POST ${providerBase}`)), 'the provider logout page confirmed itself', visited);
    check((await vigieCookies(context)).length === 0, 'no Vigie cookie survives the sign-out', names(await vigieCookies(context)));
    const landing = await echoOf(page);
    check(landing.target === '/' && echoHeader(landing, 'X-Forwarded-User') === undefined,
      'the browser is back on the public landing page, anonymous', landing);

    const response = await page.goto(`${base}/openmrs/again`);
    const chain = redirectChain(response);
    check(chain[1]?.startsWith(`${base}/oauth2/start?rd=`), 'the next protected page starts a new login', chain);
    check(response.status() === 200 && page.url() === `${base}/openmrs/again`, 'and that login completes', page.url());
    await context.close();
    return { visited: visited.map((v) => v.replace(/id_token_hint=[^&]+/, 'id_token_hint=…')), relogin_chain: chain.map(path) };
  },

  // A French-speaking user whose token carries the group overage claim (the C++ test picks that
  // user) is refused with a page in French.
  async overage_fr(newContext) {
    const context = await newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    let acceptLanguage;
    page.on('request', (r) => { if (r.url().startsWith(base)) acceptLanguage ??= r.headers()['accept-language']; });
    const response = await page.goto(`${base}/openmrs/app/home`);
    check(response.status() === 403, 'the login ends with 403', response.status());
    check(new URL(page.url()).pathname === '/oauth2/callback', 'refused at the callback', page.url());
    check(/^fr/.test(acceptLanguage ?? ''), 'Chromium sent a French Accept-Language', acceptLanguage);
    check(await page.locator('html').getAttribute('lang') === 'fr', 'the refusal page is marked lang="fr"');
    const heading = await page.locator('h1').innerText();
    check(heading.includes('trop de groupes'), 'the refusal page explains in French: too many groups', heading);
    const cookies = await vigieCookies(context);
    check(cookies.length === 0, 'no session and no leftover state cookie', names(cookies));
    await context.close();
    return { heading, accept_language: acceptLanguage };
  },

  // A script of a page in a French browser calls a protected API without a session: 401 JSON
  // (no redirect a fetch() could not follow), its message in French and intact UTF-8.
  async api_fr(newContext) {
    const context = await newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const api = await page.evaluate(async () => {
      const r = await fetch('/openmrs/ws/rest/v1/patient?q=x', { headers: { Accept: 'application/json' } });
      return {
        status: r.status, redirected: r.redirected, type: r.headers.get('content-type'),
        www: r.headers.get('www-authenticate'), body: await r.json(),
      };
    });
    check(api.status === 401 && !api.redirected && api.body.error === 'unauthenticated', 'the API call gets 401 JSON', api);
    check(api.www === 'Bearer realm="vigie"', 'with a Bearer challenge', api.www);
    check(api.body.message === 'Vous devez vous connecter pour accéder à cette page.', 'its message is French, intact UTF-8',
      api.body.message);
    await context.close();
    return { api };
  },
};

async function main() {
  const run = scenarios[scenario];
  if (!run) {
    console.error(`unknown scenario ${scenario}; known: ${Object.keys(scenarios).join(', ')}`);
    return 2;
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing (apt-get install chromium)`);
    return 2;
  }
  const { chromium } = require('playwright-core');
  // Chromium's sandbox refuses to run as root; a root test runner (containers, CI) goes without it.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: STEP_TIMEOUT_MS });
  } catch (err) {
    console.error(`cannot launch ${CHROMIUM} with playwright-core: ${err.message}`);
    return 2;
  }
  console.error(`scenario ${scenario}: Chromium ${browser.version()}, playwright-core ${require('playwright-core/package.json').version}`);
  try {
    const result = await run(newContextOf(browser));
    process.stdout.write(`RESULT ${JSON.stringify(result ?? {})}\n`);
    return 0;
  } catch (err) {
    console.error(`FAILED ${scenario}: ${err instanceof CheckFailed ? err.message : err.stack}`);
    for (const context of browser.contexts()) {
      for (const page of context.pages()) {
        const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '');
        console.error(`  page ${page.url()}: ${text.slice(0, 400)}`);
      }
    }
    return 1;
  } finally {
    await browser.close();
  }
}

process.exitCode = await main();
