/** SMS sender interface. The default writes to the log; a provincial SMS gateway plugs in here. */
export interface SmsSender {
  send(mobile: string, text: string): Promise<void>;
}

export function logSmsSender(log: {
  info: (o: object, m: string) => void;
}): SmsSender & { sent: { mobile: string; text: string }[] } {
  const sent: { mobile: string; text: string }[] = [];
  return {
    sent,
    async send(mobile, text) {
      sent.push({ mobile, text });
      if (sent.length > 100) sent.shift();
      log.info({ mobile, text }, 'sms (log sender)');
    },
  };
}
