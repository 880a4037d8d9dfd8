/**
 * The API's one error type and its mapping to Pinpoint's wire form: the status, the
 * `x-amzn-ErrorType` header the AWS SDKs read to pick the exception class, and `{Message, RequestID}`.
 */

const typeByStatus: Record<number, string> = {
  400: "BadRequestException",
  403: "ForbiddenException",
  404: "NotFoundException",
  405: "MethodNotAllowedException",
  409: "ConflictException",
  413: "PayloadTooLargeException",
  429: "TooManyRequestsException",
  500: "InternalServerErrorException",
};

export class PinpointError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Overrides the type derived from the status, for the signature errors AWS's front door raises. */
    readonly errorType: string = typeByStatus[statusCode] ??
      (statusCode < 500 ? "BadRequestException" : "InternalServerErrorException"),
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new PinpointError(400, message);
export const notFound = (message = "Resource not found") => new PinpointError(404, message);
export const conflict = (message: string) => new PinpointError(409, message);
export const forbidden = (message: string, errorType?: string) => new PinpointError(403, message, errorType);

/** Any thrown value as the error the client sees; 5xx details stay in the log. */
export function toPinpointError(error: unknown): PinpointError {
  if (error instanceof PinpointError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new PinpointError(status, (error as Error).message);
  }
  return new PinpointError(500, "Internal server error");
}
