import { createApp } from 'vue';
import { createPinia } from 'pinia';
import 'element-plus/theme-chalk/base.css';
import 'element-plus/theme-chalk/el-message.css';
import 'element-plus/theme-chalk/el-message-box.css';
import 'element-plus/theme-chalk/el-overlay.css';
import 'element-plus/theme-chalk/el-loading.css';
import './styles/theme.css';
import App from './App.vue';
import { router } from './router';
import { i18n } from './i18n';

createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
