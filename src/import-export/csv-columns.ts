/**
 * The columns of a CSV import file: Pinpoint's attribute names in dot notation (ChannelType,
 * Location.Country, User.UserAttributes.FirstName...). A header is compiled once into one setter per
 * column, so each row costs a loop over its cells. A repeated column adds another value to a
 * multi-valued attribute, as Pinpoint's user guide documents.
 */
import type { EndpointDefinition, ImportRecord } from "./record.js";
import { toRecord } from "./record.js";

/** One row's values by where they go, before they become an endpoint definition. */
interface Draft {
  scalars: Record<string, string | undefined>;
  Attributes: Record<string, string[]>;
  Metrics: Record<string, number>;
  Demographic: Record<string, string>;
  Location: Record<string, string | number>;
  UserId?: string;
  UserAttributes: Record<string, string[]>;
}

/** Sets one cell's value on the draft; answers why the value is refused, if it is. */
type Setter = (draft: Draft, value: string) => string | undefined;

const scalarColumns = ["Id", "ChannelType", "Address", "EffectiveDate", "OptOut", "EndpointStatus", "RequestId"];
const demographicFields = [
  "AppVersion",
  "Locale",
  "Make",
  "Model",
  "ModelVersion",
  "Platform",
  "PlatformVersion",
  "Timezone",
];
const locationText = ["City", "Country", "PostalCode", "Region"];
const locationNumbers = ["Latitude", "Longitude"];

function number(text: string): number | undefined {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) ? value : undefined;
}

function addValue(map: Record<string, string[]>, name: string, value: string): undefined {
  const values = map[name];
  if (values) values.push(value);
  else map[name] = [value];
  return undefined;
}

function numberSetter(column: string, set: (draft: Draft, value: number) => void): Setter {
  return (draft, text) => {
    const value = number(text);
    if (value === undefined) return `${column} must be a number, not "${text}"`;
    set(draft, value);
    return undefined;
  };
}

function setterFor(column: string): Setter | undefined {
  if (scalarColumns.includes(column)) {
    return (draft, value) => {
      draft.scalars[column] = value;
      return undefined;
    };
  }
  const [group, ...rest] = column.split(".");
  const name = rest.join(".");
  if (!name) return undefined;
  if (group === "Attributes") return (draft, value) => addValue(draft.Attributes, name, value);
  if (group === "Metrics") {
    return numberSetter(column, (draft, value) => {
      draft.Metrics[name] = value;
    });
  }
  if (
    (group === "Demographic" && demographicFields.includes(name)) ||
    (group === "Location" && locationText.includes(name))
  ) {
    return (draft, value) => {
      draft[group as "Demographic" | "Location"][name] = value;
      return undefined;
    };
  }
  if (group === "Location" && locationNumbers.includes(name)) {
    return numberSetter(column, (draft, value) => {
      draft.Location[name] = value;
    });
  }
  if (column === "User.UserId") {
    return (draft, value) => {
      draft.UserId = value;
      return undefined;
    };
  }
  const userAttribute = column.startsWith("User.UserAttributes.") ? column.slice("User.UserAttributes.".length) : "";
  if (userAttribute) return (draft, value) => addValue(draft.UserAttributes, userAttribute, value);
  return undefined;
}

function nonEmpty<T extends object>(map: T): T | undefined {
  for (const _ in map) return map;
  return undefined;
}

function toDefinition(draft: Draft): EndpointDefinition {
  const scalars = draft.scalars;
  const userAttributes = nonEmpty(draft.UserAttributes);
  return {
    Id: scalars.Id,
    ChannelType: scalars.ChannelType as EndpointDefinition["ChannelType"],
    Address: scalars.Address,
    EffectiveDate: scalars.EffectiveDate,
    OptOut: scalars.OptOut,
    EndpointStatus: scalars.EndpointStatus,
    RequestId: scalars.RequestId,
    Attributes: nonEmpty(draft.Attributes),
    Metrics: nonEmpty(draft.Metrics),
    Demographic: nonEmpty(draft.Demographic),
    Location: nonEmpty(draft.Location),
    User:
      draft.UserId !== undefined || userAttributes
        ? { UserId: draft.UserId, UserAttributes: userAttributes }
        : undefined,
  };
}

/** A header row that cannot be imported: the whole file (piece) fails with this message. */
export class HeaderError extends Error {}

export interface CsvColumns {
  names: string[];
  setters: Setter[];
}

/**
 * Compiles a header row; an unknown column fails the file rather than silently dropping data.
 * @example compileHeader(["ChannelType", "Address", "Attributes.Interest", "Attributes.Interest"])
 */
export function compileHeader(header: string[]): CsvColumns {
  const names = header.map((name) => name.trim());
  const setters = names.map((name) => {
    const setter = setterFor(name);
    if (!setter) {
      throw new HeaderError(
        `column "${name}" is not an endpoint attribute Pinpoint imports (Id, ChannelType, Address, EffectiveDate, OptOut, EndpointStatus, RequestId, Attributes.<name>, Metrics.<name>, Demographic.<field>, Location.<field>, User.UserId, User.UserAttributes.<name>)`,
      );
    }
    return setter;
  });
  return { names, setters };
}

/**
 * Maps one CSV row to a record; an empty cell means "not given".
 * @example csvRecord(compileHeader(["ChannelType", "Address"]), ["EMAIL", "ada@example.com"], 2)
 */
export function csvRecord(columns: CsvColumns, cells: string[], line: number): ImportRecord {
  if (cells.length !== columns.setters.length) {
    return { line, error: `line ${line}: ${cells.length} values for ${columns.setters.length} columns` };
  }
  const draft: Draft = { scalars: {}, Attributes: {}, Metrics: {}, Demographic: {}, Location: {}, UserAttributes: {} };
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i];
    if (value === "") continue;
    const refused = columns.setters[i](draft, value);
    if (refused) return { line, error: `line ${line}: ${refused}` };
  }
  return toRecord(line, toDefinition(draft));
}
