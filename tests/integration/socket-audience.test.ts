import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { SubscribeResult } from '../../shared/protocol.ts';
import { post, sampleReport, startServer, type TestServer } from '../support/server.ts';

describe('a socket that does not say who it is', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    await post(`${server.url}/api/v1/events`, sampleReport());
  });
  afterAll(() => server.stop());

  it('gets the masked public view, never the reporter', async () => {
    const socket = connect(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      const r: SubscribeResult = await socket.timeout(5_000).emitWithAck('subscribe', { view: 'screen' });
      expect(r.ok && r.mode).toBe('snapshot');
      const json = JSON.stringify(r);
      expect(json).toContain('桂花苑3幢'); // the event is there…
      expect(json).not.toContain('王建国'); // …without its reporter
      expect(json).not.toContain('13812345678');
      expect(json).not.toContain('reporterPhone');
    } finally {
      socket.close();
    }
  });
});
