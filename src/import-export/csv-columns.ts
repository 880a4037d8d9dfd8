/**
 * The columns of a CSV import file: Pinpoint's attribute names in dot notation (ChannelType,
 * Location.Country, User.UserAttributes.FirstName...). A header is compiled once into one setter per
 * column, so each row costs a loop over its cells. A repeated column adds another value to a
 * multi-valued attribute, as Pinpoint's user guide documents.
 */
import type { EndpointDefinition, ImportRecord } from "./record.js";
import { toRecord } from "./record.js";

/** Sets one cell's value on the definition; answers why the value is refused, if it is. */
type Setter = (definition: EndpointDefinition, value: string) => string | undefined;

type Group = "Attributes" | "Metrics" | "Demographic" | "Location";

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

/** A group of the definition (Attributes, Location...), created with its first value. */
function groupOf(definition: EndpointDefinition, group: Group): Record<string, unknown> {
  definition[group] ??= {};
  return definition[group] as Record<string, unknown>;
}

function userAttributesOf(definition: EndpointDefinition): Record<string, string[]> {
  definition.User ??= {};
  definition.User.UserAttributes ??= {};
  return definition.User.UserAttributes;
}

function addValue(map: Record<string, unknown>, name: string, value: string): undefined {
  const values = map[name] as string[] | undefined;
  if (values) values.push(value);
  else map[name] = [value];
  return undefined;
}

function setterFor(column: string): Setter | undefined {
  // Values such as ChannelType are checked against Pinpoint's enums when the endpoint is applied.
  if (scalarColumns.includes(column)) {
    return (definition, value) => {
      (definition as Record<string, unknown>)[column] = value;
      return undefined;
    };
  }
  const [group, ...rest] = column.split(".");
  const name = rest.join(".");
  if (!name) return undefined;
  if (group === "Attributes") return (definition, value) => addValue(groupOf(definition, "Attributes"), name, value);
  const numeric = group === "Metrics" || (group === "Location" && locationNumbers.includes(name));
  if (numeric) {
    return (definition, text) => {
      const value = number(text);
      if (value === undefined) return `${column} must be a number, not "${text}"`;
      groupOf(definition, group as Group)[name] = value;
      return undefined;
    };
  }
  if (
    (group === "Demographic" && demographicFields.includes(name)) ||
    (group === "Location" && locationText.includes(name))
  ) {
    return (definition, value) => {
      groupOf(definition, group as Group)[name] = value;
      return undefined;
    };
  }
  if (column === "User.UserId") {
    return (definition, value) => {
      definition.User ??= {};
      definition.User.UserId = value;
      return undefined;
    };
  }
  const userAttribute = column.startsWith("User.UserAttributes.") ? column.slice("User.UserAttributes.".length) : "";
  if (userAttribute) return (definition, value) => addValue(userAttributesOf(definition), userAttribute, value);
  return undefined;
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
  const definition: EndpointDefinition = {};
  for (let i = 0; i < cells.length; i++) {
    const value = cells[i];
    if (value === "") continue;
    const refused = columns.setters[i](definition, value);
    if (refused) return { line, error: `line ${line}: ${refused}` };
  }
  return toRecord(line, definition);
}
