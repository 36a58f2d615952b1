//! A loaded OpenAPI document: its operations (method, path template, parameters, request
//! body, responses, security), each schema in a [`SchemaSlot`] compiled on first use, and the
//! router that finds the operation a request is for.
//!
//! OpenAPI 3.0 and 3.1, and Swagger 2.0 (`consumes`/`produces`, `in: body` parameters,
//! `basePath`). `servers` is ignored, as PactFlow does: contracts hold paths, not hosts.
//!
//! Not here: what a contract is checked for (see [`crate::check`]).

use serde_json::{Map, Value};

use crate::load::{self, LoadError, OasVersion, deref};
use crate::location::DocPath;
use crate::route::Router;
use crate::schema::{CompiledSchemas, Mode, SchemaScope, SchemaSlot};

/// The HTTP methods an OpenAPI path item can hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a parameter goes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ParameterIn {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl ParameterIn {
    /// The name OpenAPI uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterIn::Path => "path",
            ParameterIn::Query => "query",
            ParameterIn::Header => "header",
            ParameterIn::Cookie => "cookie",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: ParameterIn,
    /// Whether the request must carry it.
    pub required: bool,
    /// Its schema.
    pub schema: Option<SchemaSlot>,
    /// The top-level type(s) of its schema (references followed), to decide how to read a text
    /// value: a `string` parameter is taken as written.
    pub types: Vec<String>,
    /// The `style` (`form`, `simple`, `label`, `matrix`, …), if written.
    pub style: Option<String>,
    /// `explode`.
    pub explode: bool,
    /// Where it is declared.
    pub declared_at: String,
}

/// A body's media type with its schema.
#[derive(Debug)]
pub struct MediaSpec {
    /// The media type as written, e.g. `application/json`.
    pub media_type: String,
    /// Its schema, if it has one.
    pub schema: Option<SchemaSlot>,
}

/// The request body an operation accepts.
#[derive(Debug, Default)]
pub struct RequestBodySpec {
    /// Whether a body is required.
    pub required: bool,
    /// Its media types.
    pub content: Vec<MediaSpec>,
    /// Where it is declared.
    pub declared_at: String,
}

/// One response of an operation.
#[derive(Debug)]
pub struct ResponseSpec {
    /// `200`, `2XX` or `default`, as written.
    pub status: String,
    /// Its media types (Swagger 2.0: the operation's `produces`, each with the one schema).
    pub content: Vec<MediaSpec>,
    /// Its headers (lower-case names) with their schemas.
    pub headers: Vec<(String, Option<SchemaSlot>)>,
    /// Where it is declared.
    pub declared_at: String,
}

/// One operation: a method on a path template.
#[derive(Debug)]
pub struct Operation {
    /// The method, lower case as OpenAPI writes it.
    pub method: String,
    /// The path template as written under `paths`, e.g. `/items/{id}`.
    pub path: String,
    /// `operationId`, if any.
    pub operation_id: Option<String>,
    /// Path-item and operation parameters (the operation's win on name and location).
    pub parameters: Vec<Parameter>,
    /// The request body, if the operation takes one.
    pub request_body: Option<RequestBodySpec>,
    /// Media types the operation consumes (Swagger 2.0 `consumes`, else the request body's).
    pub consumes: Vec<String>,
    /// Its responses in document order.
    pub responses: Vec<ResponseSpec>,
    /// Security requirements: alternatives, each a list of scheme names (empty: none needed).
    pub security: Vec<Vec<String>>,
    /// Where it is, e.g. `[root].paths./items/{id}.get`.
    pub location: String,
}

impl Operation {
    /// `GET /items/{id}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.path)
    }

    /// The response for a status code: the exact code, else its range (`4XX`), else `default`.
    /// The second value says whether only `default` matched.
    pub fn response_for(&self, status: u16) -> Option<(&ResponseSpec, bool)> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        if let Some(r) = self.responses.iter().find(|r| r.status == exact) {
            return Some((r, false));
        }
        if let Some(r) = self
            .responses
            .iter()
            .find(|r| r.status.eq_ignore_ascii_case(&range))
        {
            return Some((r, false));
        }
        self.responses
            .iter()
            .find(|r| r.status == "default")
            .map(|r| (r, true))
    }

    /// Every media type any of its responses produces.
    pub fn all_produced(&self) -> Vec<String> {
        let mut all = Vec::new();
        for response in &self.responses {
            for media in &response.content {
                all.push(media.media_type.clone());
            }
        }
        all
    }

    /// Every schema slot of the operation.
    pub fn slots(&self) -> impl Iterator<Item = (&SchemaSlot, Mode)> {
        let parameters = self
            .parameters
            .iter()
            .filter_map(|p| p.schema.as_ref().map(|s| (s, Mode::Request)));
        let body = self
            .request_body
            .iter()
            .flat_map(|b| b.content.iter())
            .filter_map(|m| m.schema.as_ref().map(|s| (s, Mode::Request)));
        let responses = self.responses.iter().flat_map(|r| {
            r.content
                .iter()
                .filter_map(|m| m.schema.as_ref().map(|s| (s, Mode::Response)))
                .chain(
                    r.headers
                        .iter()
                        .filter_map(|(_, s)| s.as_ref().map(|s| (s, Mode::Request))),
                )
        });
        parameters.chain(body).chain(responses)
    }
}

/// A security scheme the document declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityScheme {
    /// An API key in a header.
    ApiKeyHeader(String),
    /// An API key in the query string.
    ApiKeyQuery(String),
    /// An API key in a cookie (not checked).
    ApiKeyCookie(String),
    /// HTTP Basic.
    Basic,
    /// HTTP Bearer.
    Bearer,
    /// Another HTTP scheme (accepted when an `Authorization` header is present).
    OtherHttp(String),
    /// OAuth 2, OpenID Connect, mutual TLS: nothing a contract can show; always satisfied.
    Unverifiable,
}

/// A loaded OpenAPI document.
pub struct Document {
    version: OasVersion,
    root: Value,
    operations: Vec<Operation>,
    security_schemes: Map<String, Value>,
    router: Router,
    /// Schemas compiled so far, shared by the slots with the same schema.
    compiled_schemas: CompiledSchemas,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("version", &self.version)
            .field("operations", &self.operations.len())
            .finish()
    }
}

impl Document {
    /// Reads a document from JSON or YAML bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LoadError> {
        Document::from_value(load::parse(bytes)?)
    }

    /// Reads a document from its JSON tree.
    pub fn from_value(root: Value) -> Result<Self, LoadError> {
        let version = load::version(&root)?;
        load::check_refs(&root)?;
        let operations = read_operations(&root, version)?;
        let security_schemes = match version {
            OasVersion::Swagger2 => root.get("securityDefinitions"),
            _ => root
                .get("components")
                .and_then(|c| c.get("securitySchemes")),
        }
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
        let base_path = root
            .get("info")
            .and_then(|i| i.get("x-opc-config-base-path"))
            .and_then(Value::as_str)
            .or_else(|| {
                (version == OasVersion::Swagger2)
                    .then(|| root.get("basePath").and_then(Value::as_str))
                    .flatten()
            })
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        let router = Router::new(
            operations
                .iter()
                .map(|o| (o.method.as_str(), o.path.as_str())),
            &base_path,
        );
        Ok(Document {
            version,
            root,
            operations,
            security_schemes,
            router,
            compiled_schemas: CompiledSchemas::default(),
        })
    }

    /// Compiles every schema now, so a document whose schemas are not valid JSON Schema is
    /// refused when it is loaded rather than when a contract meets it.
    pub fn compile_all(&self) -> Result<(), LoadError> {
        for operation in &self.operations {
            for (slot, mode) in operation.slots() {
                slot.ensure_compiled(self.schema_scope(), mode)
                    .map_err(|message| LoadError::Schema {
                        at: slot.location.clone(),
                        message,
                    })?;
            }
        }
        Ok(())
    }

    /// The version the document declares.
    pub fn version(&self) -> OasVersion {
        self.version
    }

    /// The document as a JSON tree.
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// What its schema slots compile with.
    pub(crate) fn schema_scope(&self) -> SchemaScope<'_> {
        SchemaScope {
            root: &self.root,
            version: self.version,
            compiled: &self.compiled_schemas,
        }
    }

    /// Its operations, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Finds the operation for a method and a (decoded) path, with the path parameters' raw
    /// values. `None` when no path template matches or the method is not defined on it.
    pub fn route(&self, method: &str, path: &str) -> Option<(usize, Vec<(String, String)>)> {
        self.router.find(method, path)
    }

    /// A declared security scheme by name.
    pub fn security_scheme(&self, name: &str) -> Option<SecurityScheme> {
        let scheme = self.security_schemes.get(name)?;
        let (scheme, _) = deref(&self.root, scheme, "");
        let kind = scheme
            .get("type")
            .and_then(Value::as_str)?
            .to_ascii_lowercase();
        let text = |key: &str| {
            scheme
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Some(match kind.as_str() {
            "apikey" => match text("in").to_ascii_lowercase().as_str() {
                "header" => SecurityScheme::ApiKeyHeader(text("name")),
                "query" => SecurityScheme::ApiKeyQuery(text("name")),
                _ => SecurityScheme::ApiKeyCookie(text("name")),
            },
            "basic" => SecurityScheme::Basic,
            "http" => match text("scheme").to_ascii_lowercase().as_str() {
                "basic" => SecurityScheme::Basic,
                "bearer" => SecurityScheme::Bearer,
                other => SecurityScheme::OtherHttp(other.to_string()),
            },
            _ => SecurityScheme::Unverifiable,
        })
    }
}

fn structure(at: &DocPath, message: impl Into<String>) -> LoadError {
    LoadError::Structure {
        at: at.to_string(),
        message: message.into(),
    }
}

fn read_operations(root: &Value, version: OasVersion) -> Result<Vec<Operation>, LoadError> {
    let mut at = DocPath::root();
    at.push("paths");
    let paths = match root.get("paths") {
        None => return Ok(Vec::new()),
        Some(Value::Object(paths)) => paths,
        Some(_) => return Err(structure(&at, "`paths` must be an object")),
    };
    let global_security = root.get("security");
    let global_consumes = string_list(root.get("consumes"));
    let global_produces = string_list(root.get("produces"));
    let mut operations = Vec::new();
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        at.push(path);
        if !path.starts_with('/') {
            return Err(structure(&at, "a path must start with '/'"));
        }
        let item_location = at.to_string();
        let (item, _) = deref(root, item, &item_location);
        let Some(item) = item.as_object() else {
            return Err(structure(&at, "a path item must be an object"));
        };
        let shared_parameters = item.get("parameters");
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            at.push(method);
            let Some(operation) = operation.as_object() else {
                return Err(structure(&at, "an operation must be an object"));
            };
            let location = at.to_string();
            let mut parameters = Vec::new();
            let mut body_parameter = None;
            read_parameters(
                root,
                version,
                operation.get("parameters"),
                &format!("{location}.parameters"),
                &mut parameters,
                &mut body_parameter,
            )?;
            read_parameters(
                root,
                version,
                shared_parameters,
                &format!("{item_location}.parameters"),
                &mut parameters,
                &mut body_parameter,
            )?;
            let consumes =
                string_list(operation.get("consumes")).or_else(|| global_consumes.clone());
            let produces =
                string_list(operation.get("produces")).or_else(|| global_produces.clone());
            let request_body = match version {
                OasVersion::Swagger2 => {
                    body_parameter.map(|(parameter, declared_at): (Value, String)| {
                        let media_types = consumes
                            .clone()
                            .unwrap_or_else(|| vec!["application/json".into()]);
                        RequestBodySpec {
                            required: parameter
                                .get("required")
                                .and_then(Value::as_bool)
                                .unwrap_or(false),
                            content: media_types
                                .into_iter()
                                .map(|media_type| MediaSpec {
                                    media_type,
                                    schema: parameter.get("schema").map(|s| {
                                        SchemaSlot::new(s.clone(), format!("{declared_at}.schema"))
                                    }),
                                })
                                .collect(),
                            declared_at,
                        }
                    })
                }
                _ => match operation.get("requestBody") {
                    Some(body) => Some(read_request_body(
                        root,
                        body,
                        &format!("{location}.requestBody"),
                    )?),
                    None => None,
                },
            };
            let consumes = match (&request_body, version) {
                (_, OasVersion::Swagger2) => consumes.unwrap_or_default(),
                (Some(body), _) => body.content.iter().map(|m| m.media_type.clone()).collect(),
                (None, _) => Vec::new(),
            };
            at.push("responses");
            let responses = match operation.get("responses") {
                None => Vec::new(),
                Some(Value::Object(responses)) => {
                    let mut out = Vec::new();
                    for (status, response) in responses {
                        if status.starts_with("x-") {
                            continue;
                        }
                        at.push(status);
                        out.push(read_response(
                            root,
                            version,
                            status,
                            response,
                            &at,
                            produces.as_deref(),
                        )?);
                        at.pop();
                    }
                    out
                }
                Some(_) => return Err(structure(&at, "`responses` must be an object")),
            };
            at.pop();
            let security = read_security(operation.get("security").or(global_security));
            operations.push(Operation {
                method: method.to_string(),
                path: path.clone(),
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(String::from),
                parameters,
                request_body,
                consumes,
                responses,
                security,
                location,
            });
            at.pop();
        }
        at.pop();
    }
    Ok(operations)
}

fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    value.and_then(Value::as_array).map(|items| {
        items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect()
    })
}

fn read_security(value: Option<&Value>) -> Vec<Vec<String>> {
    value
        .and_then(Value::as_array)
        .map(|alternatives| {
            alternatives
                .iter()
                .map(|requirement| {
                    requirement
                        .as_object()
                        .map(|r| r.keys().cloned().collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn read_parameters(
    root: &Value,
    version: OasVersion,
    list: Option<&Value>,
    at: &str,
    out: &mut Vec<Parameter>,
    body: &mut Option<(Value, String)>,
) -> Result<(), LoadError> {
    let Some(list) = list else {
        return Ok(());
    };
    let Some(list) = list.as_array() else {
        return Err(LoadError::Structure {
            at: at.to_string(),
            message: "`parameters` must be an array".into(),
        });
    };
    for (index, parameter) in list.iter().enumerate() {
        let written_at = format!("{at}[{index}]");
        let (parameter, _) = deref(root, parameter, &written_at);
        let name = parameter.get("name").and_then(Value::as_str);
        let location = parameter.get("in").and_then(Value::as_str);
        let (Some(name), Some(location)) = (name, location) else {
            return Err(LoadError::Structure {
                at: written_at,
                message: "a parameter needs `name` and `in`".into(),
            });
        };
        let location = match location {
            "path" => ParameterIn::Path,
            "query" => ParameterIn::Query,
            "header" => ParameterIn::Header,
            "cookie" => ParameterIn::Cookie,
            "body" if version == OasVersion::Swagger2 => {
                if body.is_none() {
                    *body = Some((parameter.clone(), written_at));
                }
                continue;
            }
            "formData" if version == OasVersion::Swagger2 => continue,
            other => {
                return Err(LoadError::Structure {
                    at: format!("{written_at}.in"),
                    message: format!(
                        "'{other}' is not a parameter location (path, query, header, cookie)"
                    ),
                });
            }
        };
        // The operation's parameters come first and win over the path item's.
        if out.iter().any(|p| p.location == location && p.name == name) {
            continue;
        }
        let schema = match parameter.get("schema") {
            Some(schema) => Some(SchemaSlot::new(
                schema.clone(),
                format!("{written_at}.schema"),
            )),
            None if version == OasVersion::Swagger2 => {
                let mut inline = parameter.as_object().cloned().unwrap_or_default();
                for key in [
                    "name",
                    "in",
                    "description",
                    "required",
                    "collectionFormat",
                    "allowEmptyValue",
                ] {
                    inline.remove(key);
                }
                Some(SchemaSlot::new(Value::Object(inline), written_at.clone()))
            }
            None => None,
        };
        let types = schema
            .as_ref()
            .map(|s| top_level_types(root, &s.raw))
            .unwrap_or_default();
        out.push(Parameter {
            name: name.to_string(),
            location,
            required: parameter
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                || location == ParameterIn::Path,
            schema,
            types,
            style: parameter
                .get("style")
                .and_then(Value::as_str)
                .map(String::from),
            explode: parameter
                .get("explode")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            declared_at: written_at,
        });
    }
    Ok(())
}

/// The `type` of a schema, references followed (`["string"]`, `["integer", "null"]`, or empty).
pub fn top_level_types(root: &Value, schema: &Value) -> Vec<String> {
    let (schema, _) = deref(root, schema, "");
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => {
            // `anyOf`/`oneOf` of simple types: a string among them keeps values as written.
            let mut types = Vec::new();
            for key in ["anyOf", "oneOf"] {
                for branch in schema
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    types.extend(top_level_types(root, branch));
                }
            }
            types
        }
    }
}

fn read_request_body(root: &Value, body: &Value, at: &str) -> Result<RequestBodySpec, LoadError> {
    let (body, declared_at) = deref(root, body, at);
    let content = read_content(body.get("content"), &format!("{declared_at}.content"))?;
    Ok(RequestBodySpec {
        required: body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        content,
        declared_at,
    })
}

fn read_content(content: Option<&Value>, at: &str) -> Result<Vec<MediaSpec>, LoadError> {
    let Some(content) = content else {
        return Ok(Vec::new());
    };
    let Some(content) = content.as_object() else {
        return Err(LoadError::Structure {
            at: at.to_string(),
            message: "`content` must be an object of media types".into(),
        });
    };
    Ok(content
        .iter()
        .map(|(media_type, media)| MediaSpec {
            media_type: media_type.clone(),
            schema: media
                .get("schema")
                .map(|s| SchemaSlot::new(s.clone(), format!("{at}.{media_type}.schema"))),
        })
        .collect())
}

fn read_response(
    root: &Value,
    version: OasVersion,
    status: &str,
    response: &Value,
    at: &DocPath,
    produces: Option<&[String]>,
) -> Result<ResponseSpec, LoadError> {
    let valid_status = status == "default"
        || (status.len() == 3
            && status
                .chars()
                .next()
                .is_some_and(|c| ('1'..='5').contains(&c))
            && (status[1..].chars().all(|c| c.is_ascii_digit())
                || status[1..].eq_ignore_ascii_case("XX")));
    if !valid_status {
        return Err(structure(
            at,
            format!(
                "'{status}' is not a response status (a code such as 200, a range such as 2XX, or default)"
            ),
        ));
    }
    let written_at = at.to_string();
    let (response, declared_at) = deref(root, response, &written_at);
    let content = match version {
        OasVersion::Swagger2 => {
            let media_types = produces
                .map(|p| p.to_vec())
                .unwrap_or_else(|| vec!["application/json".into()]);
            match response.get("schema") {
                Some(schema) => media_types
                    .into_iter()
                    .map(|media_type| MediaSpec {
                        media_type,
                        schema: Some(SchemaSlot::new(
                            schema.clone(),
                            format!("{declared_at}.schema"),
                        )),
                    })
                    .collect(),
                None => Vec::new(),
            }
        }
        _ => read_content(response.get("content"), &format!("{declared_at}.content"))?,
    };
    let mut headers = Vec::new();
    if let Some(declared) = response.get("headers").and_then(Value::as_object) {
        for (name, header) in declared {
            let header_at = format!("{declared_at}.headers.{name}");
            let (header, header_at) = deref(root, header, &header_at);
            let schema = match version {
                OasVersion::Swagger2 => {
                    let mut inline = header.as_object().cloned().unwrap_or_default();
                    inline.remove("description");
                    Some(SchemaSlot::new(Value::Object(inline), header_at))
                }
                _ => header
                    .get("schema")
                    .map(|s| SchemaSlot::new(s.clone(), format!("{header_at}.schema"))),
            };
            headers.push((name.to_ascii_lowercase(), schema));
        }
    }
    Ok(ResponseSpec {
        status: status.to_string(),
        content,
        headers,
        declared_at,
    })
}
