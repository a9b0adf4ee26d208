// A Pro Santé Connect stand-in for the tests: the certified OpenID provider `oidc-provider` on loopback, with
// PSC's scopes (openid scope_all), its userinfo claim SubjectNameID (the professional's national identifier) and
// the eIDAS level in the ID token's acr. The "card" is a form: the national identifier to sign in as, and the
// acr to claim (eidas1 by default; anything else rehearses a refused level).
//
//   node psc-standin.mjs --client-id ID --client-secret SECRET [--port 0]
// prints one JSON line {"issuer": "http://127.0.0.1:PORT"} on stdout when it listens, and stops on SIGTERM.
import http from 'node:http';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: values['client-id'],
    client_secret: values['client-secret'],
    redirect_uris: ['http://127.0.0.1/signin-psc'],
    post_logout_redirect_uris: ['http://127.0.0.1/signout-callback-psc'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['openid', 'scope_all'],
  claims: { openid: ['sub'], scope_all: ['SubjectNameID', 'family_name', 'given_name'] },
  acrValues: ['eidas1', 'eidas0'],
  pkce: { required: () => true },
  responseModes: ['query'],
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 600, AccessToken: 600 },
  cookies: { keys: ['psc-stand-in-cookie-key-not-a-secret'] },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, SubjectNameID: id, family_name: 'PRATICIEN', given_name: 'TEST' }),
  }),
  renderError: async (ctx, out) => { ctx.type = 'html'; ctx.body = `<h1>Erreur</h1><p id="error">${out.error}</p>`; },
});

// The tests' server listens on a random loopback port: accept any port for its callbacks, nothing else.
const loopback = (uri, path) => {
  try { const u = new URL(uri); return u.protocol === 'http:' && u.hostname === '127.0.0.1' && u.pathname === path; } catch { return false; }
};
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) { return loopback(uri, '/signin-psc'); };
provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(uri) { return loopback(uri, '/signout-callback-psc'); };

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function interaction(req, res, uid, submit) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) { res.writeHead(400).end('wrong interaction'); return; }
  if (!submit) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html><html lang="fr"><head><title>Pro Santé Connect (stand-in)</title></head><body>
<h1>Pro Santé Connect — stand-in</h1>
<dl id="params"><dt>acr_values</dt><dd id="acr_values">${escape(details.params.acr_values ?? '')}</dd>
<dt>scope</dt><dd id="scope">${escape(details.params.scope ?? '')}</dd>
<dt>code_challenge_method</dt><dd id="code_challenge_method">${escape(details.params.code_challenge_method ?? '')}</dd></dl>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Identifiant national</label> <input id="login" name="login" autofocus>
<label for="acr">Niveau eIDAS</label> <input id="acr" name="acr" value="eidas1">
<button type="submit">Valider</button></form></body></html>`);
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const accountId = form.get('login') || 'unknown';
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId, acr: form.get('acr') || 'eidas1' }, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const match = /^\/interaction\/([^/?]+)(\/login)?(\?.*)?$/.exec(req.url);
  if (match) {
    interaction(req, res, match[1], req.method === 'POST' && match[2] === '/login').catch((e) => {
      res.writeHead(500).end(escape(e.message));
    });
    return;
  }
  callback(req, res);
});

process.stdout.write(JSON.stringify({ issuer }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
