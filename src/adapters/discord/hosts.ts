/** Hosts Discord serves attachments from; the bot downloads attachments from nowhere else. */
export const DISCORD_CDN_HOSTS: readonly string[] = ['cdn.discordapp.com', 'media.discordapp.net'];

/** The `host[:port]` of DISCORD_API_URL (a proxy or the tests' stand-in), whose files are also trusted. */
export function apiHostOf(apiUrl: string | undefined): string[] {
  if (!apiUrl) return [];
  try {
    return [new URL(apiUrl).host.toLowerCase()];
  } catch {
    return [];
  }
}

/**
 * Whether an attachment URL is on Discord's CDN (over https) or on a configured extra host. An attachment
 * object is data from the gateway; a forged or proxied one must not make the bot fetch arbitrary URLs
 * (internal services, huge files) on a member's behalf.
 */
export function isDiscordFileUrl(url: string, extraHosts: readonly string[] = []): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.host.toLowerCase();
  if (parsed.protocol === 'https:' && DISCORD_CDN_HOSTS.includes(host)) return true;
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && extraHosts.includes(host);
}
