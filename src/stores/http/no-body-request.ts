/**
 * A request whose answer is read for its status and headers only (HEAD, PUT, UploadPart):
 * undici's dispatch with a handler of a few closures, instead of `request()`, which gives
 * every answer a body stream to drain — one Readable per request that nothing reads.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

export interface NoBodyResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body of an error answer (status 300 and above), bounded: where S3 puts its error code. */
  errorBody: string;
}

/** Most bytes of an error answer kept: a code sits at the start of the XML. */
const ERROR_BODY_LIMIT = 64 * 1024;

export function requestWithoutBody(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
): Promise<NoBodyResponse> {
  return new Promise((resolve, reject) => {
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    let errorBody = '';
    dispatcher.dispatch(options, {
      // undici takes a handler for its current API only when it has onRequestStart.
      onRequestStart() {},
      onResponseStart(_controller, status, answered) {
        statusCode = status;
        headers = answered;
      },
      onResponseData(_controller, chunk) {
        if (statusCode >= 300 && errorBody.length < ERROR_BODY_LIMIT) errorBody += chunk.toString('utf8');
      },
      onResponseEnd() {
        resolve({ statusCode, headers, errorBody });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}
