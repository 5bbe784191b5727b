/** True for an IP literal in 127.0.0.0/8 or ::1 (IPv4-mapped and bracketed forms included). */
export function isLoopbackAddress(address: string): boolean;
/** True for `localhost` and loopback literals: the names that resolve without asking a DNS server. */
export function isLoopbackHost(host: string): boolean;
