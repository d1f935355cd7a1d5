/**
 * The local unified identity provider of the e2e run (issue 13): playwright.config.ts points the app at it
 * (OIDC_*), e2e/unified-login.spec.ts starts it. The app contacts it only when someone logs in through it.
 */
const APP_PORT = Number(process.env.E2E_PORT ?? 3977);
export const E2E_IDP = {
  port: Number(process.env.E2E_IDP_PORT ?? APP_PORT + 14),
  clientId: 'e2e-platform',
  clientSecret: 'e2e-platform-secret',
  appUrl: `http://127.0.0.1:${APP_PORT}`,
};
export const e2eIdpEnv = () => ({
  PUBLIC_URL: E2E_IDP.appUrl,
  OIDC_ISSUER: `http://127.0.0.1:${E2E_IDP.port}`,
  OIDC_CLIENT_ID: E2E_IDP.clientId,
  OIDC_CLIENT_SECRET: E2E_IDP.clientSecret,
});
