import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { fileURLToPath } from 'node:url';
import { pageMessages } from './scripts/vite-page-messages.ts';
import { splitIcons } from './scripts/vite-split-icons.ts';
import { homeShell } from './scripts/vite-home-shell.ts';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [
    splitIcons(),
    vue(),
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    pageMessages(fileURLToPath(new URL('./src/web', import.meta.url))),
    homeShell(),
  ],
  // the app's messages are compiled by src/web/message-compiler.ts; vue-i18n's own compiler is left out of the bundle
  define: { __INTLIFY_DROP_MESSAGE_COMPILER__: 'true' },
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src/web', import.meta.url)),
      '@contracts': fileURLToPath(new URL('./src/contracts', import.meta.url)),
      '@domain': fileURLToPath(new URL('./src/domain', import.meta.url)),
      // Element Plus' colour helper, for custom button and menu colours the app never sets (src/web/tinycolor-lite.ts)
      '@ctrl/tinycolor': fileURLToPath(new URL('./src/web/tinycolor-lite.ts', import.meta.url)),
    },
  },
  // `npm run build` (scripts/build-web.mjs) builds into a folder of its own and switches dist/web to it; a bare
  // `vite build` writes here, where no server looks
  build: {
    outDir: fileURLToPath(new URL('./dist/vite-out', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: { proxy: { '^/api/(?!client\\.ts)': 'http://localhost:3000' } },
});
