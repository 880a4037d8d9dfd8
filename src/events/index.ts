/**
 * PutEvents: events reported by apps and servers, each batch item keyed by endpoint, carrying an
 * endpoint update and its events. A batch commits as one transaction before the 202 is sent, so an
 * accepted event survives any crash that follows.
 */
import type { EndpointResponse, EventsRequest, EventsResponse, ItemResponse } from "@aws-sdk/client-pinpoint";
import { badRequest } from "../api/errors.js";
import { requireApp } from "../apps/index.js";
import { type EndpointUpdate, upsertEndpoints } from "../endpoints/index.js";
import { enterEventJourneys } from "../journeys/triggers/index.js";
import type { Services } from "../services.js";
import { appendToStream, type EventStreamRecord, toEventStreamRecord } from "../stream/index.js";
import { type AcceptedEvent, insertEvents } from "./queries.js";
import { checkEvent, eventLimits } from "./validate.js";

export { checkEvent, checkEventContent, eventLimits } from "./validate.js";

const accepted = { StatusCode: 202, Message: "Accepted" };

export async function putEvents(services: Services, appId: string, request: EventsRequest): Promise<EventsResponse> {
  const items = Object.entries(request.BatchItem ?? {});
  const eventCount = items.reduce((sum, [, item]) => sum + Object.keys(item.Events ?? {}).length, 0);
  if (items.length === 0) throw badRequest("BatchItem must hold at least one endpoint");
  if (eventCount > eventLimits.eventsPerRequest || items.length > eventLimits.eventsPerRequest) {
    throw badRequest(`A PutEvents request can carry at most ${eventLimits.eventsPerRequest} events`);
  }
  await requireApp(services, appId);

  const results: Record<string, ItemResponse> = {};
  const arrivalMs = Date.now();
  const { db, dialect } = services.store;
  const { streamed, entered } = await db.transaction().execute(async (trx) => {
    const updates: EndpointUpdate[] = items.map(([endpointId, item]) => ({ ...item.Endpoint, Id: endpointId }));
    const upserted = await upsertEndpoints(trx, dialect, appId, updates, new Date(arrivalMs));
    const events: AcceptedEvent[] = [];
    const records: EventStreamRecord[] = [];
    items.forEach(([endpointId, item], i) => {
      const endpointError = upserted[i].error;
      const eventResults: Record<string, { StatusCode: number; Message: string }> = {};
      for (const [eventId, event] of Object.entries(item.Events ?? {})) {
        const error = endpointError ? `Not recorded: the endpoint was refused (${endpointError})` : checkEvent(event);
        if (error) {
          eventResults[eventId] = { StatusCode: 400, Message: error };
        } else {
          eventResults[eventId] = accepted;
          events.push({ endpointId, eventId, event });
          records.push(
            toEventStreamRecord({
              appId,
              awsAccountId: services.config.accountId,
              endpointId,
              event,
              arrivalMs,
              endpoint: upserted[i].endpoint as EndpointResponse | undefined,
            }),
          );
        }
      }
      results[endpointId] = {
        EndpointItemResponse: endpointError ? { StatusCode: 400, Message: endpointError } : accepted,
        EventsItemResponse: eventResults,
      };
    });
    await insertEvents(trx, appId, events, arrivalMs);
    return {
      entered: await enterEventJourneys(trx, services, appId, events, "ENDPOINT"),
      streamed: await appendToStream(trx, appId, records, arrivalMs),
    };
  });
  if (streamed > 0) services.wake.stream();
  if (entered > 0) services.wake.journeys();
  return { Results: results };
}
