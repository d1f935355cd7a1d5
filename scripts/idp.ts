/**
 * npm run idp — a local OpenID provider on loopback (oidc-provider) standing in for the province's unified identity
 * (山东省政务服务网统一身份认证), with the demo identities. Prints the variables that point the app at it.
 *
 *   IDP_PORT (3990) · IDP_HOST (127.0.0.1) · APP_URL (the app's PUBLIC_URL, http://localhost:3000; several: comma-separated)
 *   IDP_CLIENT_ID (instrument-platform) · IDP_CLIENT_SECRET (local-demo-secret)
 */
import { demoIdentities, IDP_PASSWORD } from '../src/server/identity-provider/demo-identities';
import { startIdentityProvider } from '../src/server/identity-provider/server';

const apps = (process.env.APP_URL ?? 'http://localhost:3000').split(',').map((u) => u.trim().replace(/\/+$/, ''));
const clientId = process.env.IDP_CLIENT_ID ?? 'instrument-platform';
const clientSecret = process.env.IDP_CLIENT_SECRET ?? 'local-demo-secret';

const idp = await startIdentityProvider({
  port: Number(process.env.IDP_PORT ?? 3990),
  host: process.env.IDP_HOST ?? '127.0.0.1',
  clients: [
    {
      clientId,
      clientSecret,
      redirectUris: apps.map((a) => `${a}/api/identity/callback`),
      postLogoutRedirectUris: apps.map((a) => `${a}/login`),
    },
  ],
});

console.log(`\n  Local unified identity provider: ${idp.issuer}\n`);
console.log('  Run the app against it with:\n');
console.log(`    OIDC_ISSUER=${idp.issuer} OIDC_CLIENT_ID=${clientId} OIDC_CLIENT_SECRET=${clientSecret} npm start\n`);
console.log(`  Identities (password ${IDP_PASSWORD}):`);
for (const i of demoIdentities())
  console.log(
    `    ${i.kind === 'legal' ? '法人' : '个人'}  ${i.login.padEnd(8)} ${i.claims.org_name ?? i.claims.name}${i.claims.uscc ? `  ${i.claims.uscc}` : ''}`,
  );

const stop = () => void idp.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
