import { defineStore } from 'pinia';
import type { z } from 'zod';
import { get } from '@/api/client';
import type { UnreadCount } from '@contracts/messages';
import { useSession } from './session';

type UnreadCountT = z.infer<typeof UnreadCount>;

const POLL_MS = 60_000;
let timer: ReturnType<typeof setInterval> | null = null;

/** 消息中心 at a glance: the unread count of the header bell, read every 60 s and after each page change. */
export const useMessages = defineStore('messages', {
  state: () => ({ unread: 0, owner: null as string | null }),
  actions: {
    async refresh() {
      const session = useSession();
      if (!session.loggedIn) {
        this.unread = 0;
        this.owner = null;
        return;
      }
      try {
        const r = await get<UnreadCountT>('/messages/unread-count');
        this.unread = r.unread;
        this.owner = session.user?.id ?? null;
      } catch {
        /* the bell keeps its last count; the next poll tries again */
      }
    },
    /** After the message centre marks something read: the server's new count. */
    set(unread: number) {
      this.unread = unread;
    },
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (document.visibilityState !== 'hidden') void this.refresh();
      }, POLL_MS);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  },
});
