import { createApp, watch } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/theme-chalk/base.css';
import 'element-plus/theme-chalk/el-message.css';
import 'element-plus/theme-chalk/el-message-box.css';
import 'element-plus/theme-chalk/el-overlay.css';
import 'element-plus/theme-chalk/el-loading.css';
import './styles/theme.css';
import './styles/shell.css';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';
import { onUnauthorized } from './api/client';
import { useSession } from './stores/session';
import { patchElementPlusA11y } from './composables/elementPlusA11y';

// A tab opened before a redeploy asks for chunks of the build it started with, which the new build may not have.
// When one cannot be loaded, the page loads again from the server (the current build) at the address the user was
// going to; a second failure within a minute is left to show, so that a broken server never makes a reload loop.
function loadAgainFromServer(url: string): boolean {
  const last = Number(sessionStorage.getItem('chunk-reload-at') ?? 0);
  if (Date.now() - last < 60_000) return false;
  sessionStorage.setItem('chunk-reload-at', String(Date.now()));
  window.location.assign(url);
  return true;
}
const isChunkError = (e: unknown) =>
  /dynamically imported module|Importing a module script failed|error loading dynamically|Unable to preload/i.test(
    String(e),
  );
// where the user is going: a page's chunk fails while the router still shows the page before it, and Vite's event
// for that failure may come before or after the router's, so both use the navigation under way
let goingTo: string | null = null;
router.beforeEach((to) => {
  goingTo = to.fullPath;
});
router.afterEach(() => {
  goingTo = null;
});
router.onError((error: unknown, to) => {
  if (isChunkError(error)) loadAgainFromServer(to.fullPath);
});
// any chunk (a page, or a part loaded on demand): the navigation under way, else the page the user is on
window.addEventListener('vite:preloadError', () => loadAgainFromServer(goingTo ?? window.location.href));

const pinia = createPinia();

// A 401 on any call but the login itself: the session has ended (expired, or logged out in another tab). The header
// forgets the user at once, and the login page (登录已过期) brings the user back to the same page afterwards.
let leaving = false;
onUnauthorized(() => {
  const session = useSession(pinia);
  const wasIn = session.loggedIn;
  session.$patch({ me: null, loaded: true });
  const here = router.currentRoute.value;
  if (here.path === '/login' || leaving) return leaving;
  if (!wasIn && !here.meta.roles) return false;
  leaving = true;
  const redirect = here.fullPath;
  void router.replace({ path: '/login', query: { expired: '1', redirect } }).finally(() => {
    leaving = false;
  });
  return true;
});

createApp(App).use(pinia).use(router).use(i18n).mount('#app');
const pagers = patchElementPlusA11y();
watch(
  () => (i18n.global.locale as unknown as { value: string }).value,
  () => pagers.apply(),
);
