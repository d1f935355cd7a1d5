import { ref } from 'vue';

/**
 * The navigation under way: set by the router before a page's code loads and cleared once it is shown. The top
 * progress bar shows while `routeLoading` is true, and the header's navigation highlights `pendingPath` meanwhile
 * (not 首页, which is where vue-router stands before the first page is resolved).
 */
export const routeLoading = ref(false);
export const pendingPath = ref<string | null>(null);
