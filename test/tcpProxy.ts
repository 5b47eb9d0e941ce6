/**
 * A TCP proxy in front of a server that a test can cut: every open connection is reset and new ones
 * are refused, until it is restored on the same port. A real network failure for the client, with
 * requests lost half-way (the server may have done the work; the client never hears of it).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../scripts/azurite.js';

export interface CuttableProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset is what the test is for; it is not an error of the proxy.
    socket.on('error', () => {});
  };
  const listen = () =>
    new Promise<void>((listening, failed) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      next.once('error', failed);
      next.listen(port, '127.0.0.1', () => listening());
      server = next;
    });
  await listen();
  return {
    port,
    async cut() {
      const closed = new Promise<void>((done) => server!.close(() => done()));
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
    restore: listen,
  };
}
