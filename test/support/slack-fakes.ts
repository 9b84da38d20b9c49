// A fake of the slice of Bolt's WebClient the Slack adapter calls, recording calls in order; and a fake
// fetch for upload URLs, response_urls and file downloads.
import type { SlackWeb } from '../../src/adapters/slack/files.ts';

/** One recorded Web API call. */
export interface FakeCall {
  method: string;
  args: Record<string, unknown>;
}

type Handler = (args: Record<string, unknown>) => unknown;

/** A platform error as @slack/web-api throws it (`err.data.error`). */
export function platformError(error: string): Error {
  return Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });
}

/** A fake WebClient: `overrides` answer (or throw) per method, everything is recorded in `calls`. */
export function fakeWeb(overrides: Record<string, Handler> = {}): SlackWeb & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  let files = 0;
  const defaults: Record<string, Handler> = {
    'chat.postMessage': () => ({ ok: true, ts: '1700000000.000001' }),
    'chat.postEphemeral': () => ({ ok: true, message_ts: '1700000000.000002' }),
    'chat.update': (a) => ({ ok: true, ts: a.ts }),
    'files.getUploadURLExternal': () => {
      files++;
      return { ok: true, file_id: `F${files}`, upload_url: `https://files.slack.com/upload/v1/F${files}` };
    },
    'files.completeUploadExternal': (a) => ({ ok: true, files: a.files }),
    'files.info': (a) => ({ ok: true, file: { id: a.file, shares: {} } }),
    'users.info': (a) => ({ ok: true, user: { id: a.user, name: 'someone' } }),
  };
  const call =
    (method: string) =>
    async (args: Record<string, unknown> = {}) => {
      calls.push({ method, args });
      return (overrides[method] ?? defaults[method] ?? (() => ({ ok: true })))(args);
    };
  const client = {
    calls,
    chat: {
      postMessage: call('chat.postMessage'),
      postEphemeral: call('chat.postEphemeral'),
      update: call('chat.update'),
    },
    files: {
      getUploadURLExternal: call('files.getUploadURLExternal'),
      completeUploadExternal: call('files.completeUploadExternal'),
      info: call('files.info'),
    },
    users: { info: call('users.info') },
  };
  return client as unknown as SlackWeb & { calls: FakeCall[] };
}

/** A request the fake fetch received. */
export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** A fetch that records requests and answers with `respond` (default: 200, a PNG content type, `body`). */
export function fakeFetch(
  respond: (call: FetchCall) => Response = () =>
    new Response(new Uint8Array([137, 80, 78, 71]), { headers: { 'content-type': 'image/png' } }),
): typeof fetch & { calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const call: FetchCall = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers,
      body: init?.body as Uint8Array | string | undefined,
    };
    calls.push(call);
    return respond(call);
  };
  return Object.assign(impl, { calls }) as typeof fetch & { calls: FetchCall[] };
}
