import * as http from "node:http";
import * as net from "node:net";

/**
 * The network between the clusters of a mesh, for istiods on one machine: an HTTP CONNECT
 * proxy on 127.0.0.1 that carries each cluster's address (a documentation address of
 * RFC 5737, which the program accepts as an `apiServer` and nothing routes) to its API server
 * on loopback, and refuses every other destination. istiod dials through it because its
 * environment names it (`HTTPS_PROXY`, which client-go honours for every kubeconfig but a
 * loopback server's): the remote secret's kubeconfig is the program's, unchanged, and TLS runs
 * end to end through the tunnel, so the server's certificate (which names the address, the
 * server's `--advertise-address`) is checked against the kubeconfig's CA. Each tunnel opened
 * is recorded: which cluster's address istiod reached.
 */
export class ClusterNetwork {
    /** `host:port` of every tunnel opened, in order. */
    readonly tunnels: string[] = [];

    private constructor(
        private readonly server: http.Server,
        private readonly sockets: Set<net.Socket>,
        readonly port: number,
    ) {}

    /** Starts the proxy; `routes` maps each cluster's `address:port` to the API server's loopback `host:port`. */
    static async start(routes: ReadonlyMap<string, string>): Promise<ClusterNetwork> {
        const server = http.createServer((_, res) => res.writeHead(405).end());
        const sockets = new Set<net.Socket>();
        server.on("connection", (socket) => {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
        });
        const network = await new Promise<ClusterNetwork>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () =>
                resolve(new ClusterNetwork(server, sockets, (server.address() as net.AddressInfo).port)),
            );
        });
        server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
            const target = routes.get(req.url ?? "");
            if (target === undefined) {
                client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
                return;
            }
            network.tunnels.push(req.url as string);
            const [host, port] = target.split(":");
            const upstream = net.connect(Number(port), host, () => {
                client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
                upstream.write(head);
                upstream.pipe(client);
                client.pipe(upstream);
            });
            sockets.add(upstream);
            upstream.on("close", () => sockets.delete(upstream));
            upstream.on("error", () => client.destroy());
            client.on("error", () => upstream.destroy());
        });
        return network;
    }

    /** What an istiod's environment gets to reach the other clusters through this network. */
    get env(): Record<string, string> {
        const proxy = `http://127.0.0.1:${this.port}`;
        return {
            HTTPS_PROXY: proxy,
            https_proxy: proxy,
            NO_PROXY: "127.0.0.0/8,localhost",
            no_proxy: "127.0.0.0/8,localhost",
        };
    }

    /** Closes the proxy and every tunnel. */
    stop(): Promise<void> {
        const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.sockets.forEach((socket) => socket.destroy());
        return closed;
    }
}
