// A real OpenID Connect provider (the npm package `oidc-provider`) standing for the
// Sign-In Partner federation in the tests (SPEC SIGN-3, ADR 0006). Test use only.
//
// It listens on 127.0.0.1, has one confidential client, requires PKCE (S256), signs ID
// tokens with RS256, and shows a page where the person picks their bank from a list and
// enters a test account name: that signs them in and consents at once. The subject (`sub`)
// is stable and opaque for each (bank, account name) pair.
//
//   node provider.mjs [--port N] [--issuer URL]
//
// Environment:
//   OIDC_TEST_PORT           port to listen on (argv --port wins; 0 or unset: any free port)
//   OIDC_TEST_ISSUER         issuer URL (default http://127.0.0.1:<port>); a second instance
//                            with another issuer and the same keys serves the wrong-issuer tests
//   OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET   the portal's client
//   OIDC_TEST_REDIRECT_URIS  comma-separated redirect URIs of that client
//   OIDC_TEST_KEYS           path of a private JWKS file: read when it exists, else generated
//                            and written there (so that two instances share their keys)
//   OIDC_TEST_READY_FILE     where to write the issuer URL once listening (optional)
//
// Its cookies have their own names: cookies ignore ports, and the portal may run on the
// same host (its cookies are carm_sessionid, carm_csrftoken, carm_language).

import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: { port: { type: 'string' }, issuer: { type: 'string' } },
});
const env = process.env;
const port = Number(args.port ?? env.OIDC_TEST_PORT ?? 0);
const clientId = env.OIDC_TEST_CLIENT_ID ?? 'carm-portal';
const clientSecret = env.OIDC_TEST_CLIENT_SECRET ?? 'carm-portal-test-secret';
const redirectUris = (env.OIDC_TEST_REDIRECT_URIS ?? 'http://testserver/oidc/callback/')
  .split(',')
  .map((uri) => uri.trim())
  .filter(Boolean);

// The "federation": the financial institutions a person can choose from.
const BANKS = [
  ['atb', 'ATB Financial'],
  ['bmo', 'BMO'],
  ['cibc', 'CIBC'],
  ['desjardins', 'Desjardins'],
  ['national', 'National Bank of Canada / Banque Nationale du Canada'],
  ['rbc', 'RBC Royal Bank / RBC Banque Royale'],
  ['scotiabank', 'Scotiabank'],
  ['simplii', 'Simplii Financial'],
  ['tangerine', 'Tangerine'],
  ['td', 'TD Bank Group / Groupe Banque TD'],
];

const TEXT = {
  en: {
    title: 'Select a Sign-In Partner',
    intro: 'Test federation: choose your financial institution and enter a test account name.',
    bank: 'Financial institution',
    account: 'Test account name',
    email: 'Email at the bank (optional)',
    signIn: 'Sign in',
    cancel: 'Cancel',
    missing: 'Choose a financial institution and enter an account name.',
  },
  fr: {
    title: 'Sélectionner un partenaire de connexion',
    intro: 'Fédération de test : choisissez votre institution financière et entrez un nom de compte de test.',
    bank: 'Institution financière',
    account: 'Nom du compte de test',
    email: 'Courriel à la banque (facultatif)',
    signIn: 'Se connecter',
    cancel: 'Annuler',
    missing: 'Choisissez une institution financière et entrez un nom de compte.',
  },
};

function loadKeys(path) {
  if (path && existsSync(path)) {
    return JSON.parse(readFileSync(path, 'utf8'));
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
  const jwks = { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] };
  if (path) {
    writeFileSync(path, JSON.stringify(jwks), { mode: 0o600 });
  }
  return jwks;
}

// Stable, opaque subject for a (bank, account) pair: the portal learns nothing else.
function subjectFor(bank, account) {
  return createHash('sha256').update(`${bank}:${account.trim().toLowerCase()}`).digest('hex');
}

// Email claims of the test accounts (changed at each sign-in when given), to prove that the
// portal never uses them.
const emails = new Map();

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function language(details) {
  return String(details?.params?.ui_locales ?? '').startsWith('fr') ? 'fr' : 'en';
}

function loginPage(uid, lang, error) {
  const t = TEXT[lang];
  const options = BANKS.map(([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`);
  return `<!DOCTYPE html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${t.title}</title></head>
<body>
<main>
<h1>${t.title}</h1>
<p>${escapeHtml(t.intro)}</p>
${error ? `<p role="alert">${escapeHtml(t.missing)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <p><label for="bank">${t.bank}</label>
  <select id="bank" name="bank" required><option value=""></option>${options.join('')}</select></p>
  <p><label for="account">${t.account}</label>
  <input id="account" name="account" required autocomplete="off"></p>
  <p><label for="email">${t.email}</label>
  <input id="email" name="email" type="email" autocomplete="off"></p>
  <p><button type="submit">${t.signIn}</button></p>
</form>
<form method="post" action="/interaction/${uid}/abort">
  <p><button type="submit">${t.cancel}</button></p>
</form>
</main>
</body>
</html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

let provider;

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    res.writeHead(400).end('interaction mismatch');
    return;
  }
  if (req.method === 'GET' && !action) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, language(details), false));
    return;
  }
  if (req.method === 'POST' && action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The person cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const bank = form.get('bank') ?? '';
    const account = form.get('account') ?? '';
    if (!BANKS.some(([value]) => value === bank) || !account.trim()) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, language(details), true));
      return;
    }
    const accountId = subjectFor(bank, account);
    if (form.get('email')) {
      emails.set(accountId, form.get('email'));
    }
    // Sign in and consent at once: the federation asks nothing more in this test.
    const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      // Assurance (acr/amr): accounts named "mfa-…" sign in with a second factor.
      {
        login: account.startsWith('mfa-')
          ? { accountId, acr: 'urn:carm:test:loa3', amr: ['pwd', 'otp'] }
          : { accountId, acr: 'urn:carm:test:loa2', amr: ['pwd'] },
        consent: { grantId },
      },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  res.writeHead(405).end();
}

const server = createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(req.url.split('?')[0]);
  if (!match) {
    provider.callback()(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${error.name}: ${error.message}`);
  });
});

server.listen(port, '127.0.0.1', () => {
  const issuer = args.issuer ?? env.OIDC_TEST_ISSUER ?? `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks: loadKeys(env.OIDC_TEST_KEYS),
    pkce: { required: () => true },
    scopes: ['openid', 'email'],
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
    },
    // Scope claims go into the ID token too: lets the tests prove the portal ignores email.
    conformIdTokenClaims: false,
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({
        sub: id,
        ...(emails.has(id) ? { email: emails.get(id), email_verified: true } : {}),
      }),
    }),
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    acrValues: ['urn:carm:test:loa2', 'urn:carm:test:loa3'],
    cookies: {
      names: {
        session: 'partner_op_session',
        interaction: 'partner_op_interaction',
        resume: 'partner_op_resume',
      },
      keys: [randomBytes(32).toString('hex')],
    },
    ttl: {
      AccessToken: 300,
      AuthorizationCode: 60,
      IdToken: 300,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><main><h1>Error</h1><p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p></main></body></html>`;
    },
  });
  if (env.OIDC_TEST_READY_FILE) {
    writeFileSync(env.OIDC_TEST_READY_FILE, issuer);
  }
  console.log(`test OpenID Connect provider ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
