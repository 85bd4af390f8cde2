/** Server-sent events read one at a time from a fetch body (HTML Living Standard, "Server-sent events"). */
export interface SseEvent {
  readonly id: string | undefined;
  readonly data: string;
}

/** Yields each event as it arrives; throws when the stream breaks off (e.g. its server was killed). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      yield { id, data: data.join('\n') };
      end = buffered.indexOf('\n\n');
    }
  }
}
