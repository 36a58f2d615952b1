//! The cross-check: every HTTP interaction of a Pact contract against an OpenAPI document,
//! with the semantics of PactFlow's `openapi-pact-comparator` (see the crate docs for the few
//! deliberate differences).
//!
//! Per interaction, in this order: the route (method and path, path parameters typed); the
//! security requirements; request headers (`Accept`, `Content-Type`, declared header
//! parameters, undeclared ones); the query; the request body against its schema as written;
//! the response status (exact code, then `NXX`, then `default`); response headers; the response
//! body, which may be a subset of what the schema allows. Request checks other than media types
//! apply only to interactions whose response status is below 400: a consumer may send a bad
//! request on purpose to see the error.
//!
//! Pact matching rules are not consulted: the example values are what is checked.

use pactum_core::contract::{Headers, Interaction, InteractionKind, Pact, Request, Response};
use serde_json::Value;

use crate::document::{Document, Operation, Parameter, ParameterIn, SecurityScheme};
use crate::findings::{Code, CrossCheck, Finding};
use crate::media::{BodyCheck, body_check, find_matching, is_form};
use crate::schema::{Mode, SchemaSlot};
use crate::values::{body_value, coerce, form_value, parameter_value, truthy};

/// Request headers every HTTP client may send: never reported as undeclared.
const STANDARD_REQUEST_HEADERS: [&str; 33] = [
    "accept",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-length",
    "content-md5",
    "content-type",
    "cookie",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "range",
    "referer",
    "te",
    "upgrade",
    "user-agent",
    "via",
    "warning",
];

/// Response headers any server may send: a warning, not an error, when undeclared.
const STANDARD_RESPONSE_HEADERS: [&str; 40] = [
    "access-control-allow-origin",
    "accept-patch",
    "accept-ranges",
    "age",
    "allow",
    "alt-svc",
    "cache-control",
    "connection",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "date",
    "etag",
    "expires",
    "last-modified",
    "link",
    "location",
    "p3p",
    "pragma",
    "proxy-authenticate",
    "public-key-pins",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "status",
    "strict-transport-security",
    "trailer",
    "transfer-encoding",
    "tsv",
    "upgrade",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "x-frame-options",
];

impl Document {
    /// Checks every HTTP interaction of `pact` against the document.
    pub fn cross_check(&self, pact: &Pact) -> CrossCheck {
        let mut result = CrossCheck::default();
        for (index, interaction) in pact.interactions.iter().enumerate() {
            match &interaction.kind {
                InteractionKind::Http { request, response } => {
                    result.interactions_checked += 1;
                    let mut check = InteractionCheck {
                        document: self,
                        interaction,
                        index,
                        request,
                        response,
                        findings: &mut result.findings,
                        operation: None,
                    };
                    check.run();
                }
                _ => result.interactions_skipped += 1,
            }
        }
        result
    }
}

struct InteractionCheck<'a> {
    document: &'a Document,
    interaction: &'a Interaction,
    index: usize,
    request: &'a Request,
    response: &'a Response,
    findings: &'a mut Vec<Finding>,
    operation: Option<&'a Operation>,
}

/// A header's values as one text, as HTTP folds repeated headers.
fn header_text(headers: &Headers, name: &str) -> Option<String> {
    headers.get(name).map(|values| values.join(","))
}

impl<'a> InteractionCheck<'a> {
    fn at(&self, rest: &str) -> String {
        format!("[root].interactions[{}].{rest}", self.index)
    }

    fn report(
        &mut self,
        code: Code,
        message: String,
        contract_location: String,
        document_location: String,
    ) {
        let provider_state = self
            .interaction
            .provider_states
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        self.findings.push(Finding {
            code,
            severity: code.severity(),
            message,
            interaction: self.index,
            description: self.interaction.description.clone(),
            provider_state,
            contract_location,
            document_location,
            operation: self.operation.map(Operation::label),
        });
    }

    fn validate(
        &self,
        slot: &SchemaSlot,
        mode: Mode,
        value: &Value,
        at: &str,
    ) -> Vec<crate::schema::Violation> {
        slot.validate(self.document.schema_scope(), mode, value, at)
    }

    fn run(&mut self) {
        let method = self.request.method.to_ascii_uppercase();
        let path = self.request.path.clone();
        let routed = if path.contains('?') {
            None
        } else {
            self.document.route(&method, &path)
        };
        let Some((operation_index, path_values)) = routed else {
            self.report(
                Code::RequestPathOrMethodUnknown,
                format!("no operation in the document for {method} {path}"),
                self.at("request.path"),
                "[root].paths".into(),
            );
            return;
        };
        let operation = &self.document.operations()[operation_index];
        if !self.path_parameters_fit(operation, &path_values) {
            self.report(
                Code::RequestPathOrMethodUnknown,
                format!(
                    "{method} {path} has a path parameter that does not fit {}",
                    operation.label()
                ),
                self.at("request.path"),
                format!("{}.parameters", operation.location),
            );
            return;
        }
        self.operation = Some(operation);
        let valid_request = self.response.status < 400;
        if valid_request {
            self.check_security(operation);
        }
        let content_type_incompatible = self.check_request_headers(operation, valid_request);
        self.check_query(operation, valid_request);
        if !content_type_incompatible {
            self.check_request_body(operation, valid_request);
        }
        let response_content_type_incompatible = self.check_response_headers(operation);
        if !response_content_type_incompatible {
            self.check_response_body(operation);
        }
    }

    fn typed_parameter(&self, parameter: &Parameter, text: &str) -> Value {
        let value = parameter_value(text, &parameter.types);
        match &parameter.schema {
            Some(slot) => coerce(self.document.root(), &slot.raw, value),
            None => value,
        }
    }

    fn path_parameters_fit(&self, operation: &Operation, values: &[(String, String)]) -> bool {
        for parameter in &operation.parameters {
            if parameter.location != ParameterIn::Path {
                continue;
            }
            let Some((_, text)) = values.iter().find(|(name, _)| *name == parameter.name) else {
                continue;
            };
            let Some(slot) = &parameter.schema else {
                continue;
            };
            let mut value = self.typed_parameter(parameter, text);
            if parameter.types.iter().any(|t| t == "array")
                && let Value::String(s) = &value
            {
                let separator = match (parameter.style.as_deref(), parameter.explode) {
                    (Some("label"), true) => '.',
                    (Some("matrix"), true) => ';',
                    _ => ',',
                };
                let items = s
                    .split(separator)
                    .map(|i| Value::String(i.into()))
                    .collect();
                value = coerce(self.document.root(), &slot.raw, Value::Array(items));
            }
            if !self.validate(slot, Mode::Request, &value, "").is_empty() {
                return false;
            }
        }
        true
    }

    fn check_security(&mut self, operation: &Operation) {
        if operation.security.is_empty() {
            return;
        }
        let headers = &self.request.headers;
        let authorization = header_text(headers, "authorization")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut unmet: Vec<(String, String)> = Vec::new();
        let mut secured = false;
        'alternatives: for requirement in &operation.security {
            if requirement.is_empty() {
                secured = true;
                break;
            }
            for name in requirement {
                let Some(scheme) = self.document.security_scheme(name) else {
                    continue;
                };
                let (met, what, at) = match &scheme {
                    SecurityScheme::ApiKeyHeader(header) => (
                        headers.get(header).is_some(),
                        format!("the API key header '{header}' of scheme '{name}' is missing"),
                        "request.headers",
                    ),
                    SecurityScheme::ApiKeyQuery(parameter) => (
                        self.request.query.contains_key(parameter),
                        format!(
                            "the API key query parameter '{parameter}' of scheme '{name}' is missing"
                        ),
                        "request.query",
                    ),
                    SecurityScheme::Basic => (
                        authorization.starts_with("basic "),
                        format!("scheme '{name}' needs an 'Authorization: Basic …' header"),
                        "request.headers",
                    ),
                    SecurityScheme::Bearer => (
                        authorization.starts_with("bearer "),
                        format!("scheme '{name}' needs an 'Authorization: Bearer …' header"),
                        "request.headers",
                    ),
                    SecurityScheme::OtherHttp(kind) => (
                        !authorization.is_empty(),
                        format!("scheme '{name}' needs an 'Authorization: {kind} …' header"),
                        "request.headers",
                    ),
                    SecurityScheme::ApiKeyCookie(_) | SecurityScheme::Unverifiable => {
                        (true, String::new(), "")
                    }
                };
                if met {
                    secured = true;
                    break 'alternatives;
                }
                unmet.push((what, at.to_string()));
            }
        }
        if !secured {
            for (what, at) in unmet {
                let location = self.at(&at);
                self.report(
                    Code::RequestAuthorizationMissing,
                    format!("the request does not meet the operation's security: {what}"),
                    location,
                    operation.location.clone(),
                );
            }
        }
    }

    /// Returns whether the request's content type is incompatible (then its body is not checked).
    fn check_request_headers(&mut self, operation: &'a Operation, valid_request: bool) -> bool {
        let headers = &self.request.headers;
        let all_produced = operation.all_produced();
        let produced_for_status: Vec<String> = operation
            .responses
            .iter()
            .find(|r| r.status == self.response.status.to_string())
            .map(|r| r.content.iter().map(|m| m.media_type.clone()).collect())
            .unwrap_or_default();
        let accept_full = header_text(headers, "accept");
        let accept = accept_full
            .as_deref()
            .map(|a| a.split(';').next().unwrap_or("").to_string())
            .unwrap_or_default();
        if !accept.is_empty() && all_produced.is_empty() {
            self.report(
                Code::RequestAcceptUnknown,
                "the request has an Accept header but the operation declares no response media types".into(),
                self.at("request.headers.accept"),
                operation.location.clone(),
            );
        }
        if !accept.is_empty()
            && !produced_for_status.is_empty()
            && find_matching(&accept, &all_produced).is_none()
        {
            self.report(
                Code::RequestAcceptIncompatible,
                format!(
                    "Accept '{}' selects none of the media types the operation produces ({})",
                    accept_full.unwrap_or_default(),
                    all_produced.join(", ")
                ),
                self.at("request.headers.accept"),
                operation.location.clone(),
            );
        }
        let content_type_full = header_text(headers, "content-type");
        let content_type = content_type_full
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let consumes = &operation.consumes;
        let mut incompatible = false;
        if !content_type.is_empty() && consumes.is_empty() {
            self.report(
                Code::RequestContentTypeUnknown,
                "the request has a Content-Type but the operation declares no request media types"
                    .into(),
                self.at("request.headers.content-type"),
                operation.location.clone(),
            );
        }
        if !content_type.is_empty()
            && !consumes.is_empty()
            && find_matching(&content_type, consumes).is_none()
        {
            incompatible = true;
            self.report(
                Code::RequestContentTypeIncompatible,
                format!(
                    "Content-Type '{}' is not one the operation consumes ({})",
                    content_type_full.unwrap_or_default(),
                    consumes.join(", ")
                ),
                self.at("request.headers.content-type"),
                format!("{}.requestBody.content", operation.location),
            );
        }
        if content_type.is_empty()
            && !consumes.is_empty()
            && body_value(&self.request.body).is_some()
        {
            self.report(
                Code::RequestContentTypeMissing,
                "the request has a body but no Content-Type, and the operation declares media types".into(),
                self.at("request.headers.content-type"),
                operation.location.clone(),
            );
        }
        let mut security_headers = Vec::new();
        if valid_request {
            for requirement in &operation.security {
                for name in requirement {
                    if let Some(SecurityScheme::ApiKeyHeader(header)) =
                        self.document.security_scheme(name)
                    {
                        security_headers.push(header.to_ascii_lowercase());
                    }
                }
            }
        }
        let mut declared: Vec<String> = Vec::new();
        for parameter in &operation.parameters {
            if parameter.location != ParameterIn::Header {
                continue;
            }
            declared.push(parameter.name.to_ascii_lowercase());
            if !valid_request {
                continue;
            }
            let location = self.at(&format!("request.headers.{}", parameter.name));
            match header_text(&self.request.headers, &parameter.name) {
                Some(text) => {
                    if let Some(slot) = &parameter.schema {
                        let value = self.typed_parameter(parameter, &text);
                        for violation in self.validate(slot, Mode::Request, &value, &location) {
                            self.report(
                                Code::RequestHeaderIncompatible,
                                format!("header {}: {}", parameter.name, violation.message),
                                violation.value_location,
                                violation.schema_location,
                            );
                        }
                    }
                }
                None if parameter.required => self.report(
                    Code::RequestHeaderIncompatible,
                    format!("the required header {} is missing", parameter.name),
                    location,
                    parameter.declared_at.clone(),
                ),
                None => {}
            }
        }
        if valid_request {
            let undeclared: Vec<(String, String)> = self
                .request
                .headers
                .iter()
                .map(|(name, _)| name.to_ascii_lowercase())
                .filter(|name| {
                    !declared.contains(name)
                        && !STANDARD_REQUEST_HEADERS.contains(&name.as_str())
                        && !security_headers.contains(name)
                })
                .map(|name| (name.clone(), name))
                .collect();
            for (name, _) in undeclared {
                self.report(
                    Code::RequestHeaderUnknown,
                    format!("request header {name} is not declared by the operation"),
                    self.at(&format!("request.headers.{name}")),
                    operation.location.clone(),
                );
            }
        }
        incompatible
    }

    fn check_query(&mut self, operation: &Operation, valid_request: bool) {
        if !valid_request {
            return;
        }
        let mut declared = Vec::new();
        for parameter in &operation.parameters {
            if parameter.location != ParameterIn::Query {
                continue;
            }
            declared.push(parameter.name.clone());
            let location = self.at(&format!("request.query.{}", parameter.name));
            match self.request.query.get(&parameter.name) {
                Some(values) => {
                    let Some(slot) = &parameter.schema else {
                        continue;
                    };
                    let value = self.typed_parameter(parameter, &values.join(","));
                    for violation in self.validate(slot, Mode::Request, &value, &location) {
                        self.report(
                            Code::RequestQueryIncompatible,
                            format!("query parameter {}: {}", parameter.name, violation.message),
                            violation.value_location,
                            violation.schema_location,
                        );
                    }
                }
                None if parameter.required => self.report(
                    Code::RequestQueryIncompatible,
                    format!("the required query parameter {} is missing", parameter.name),
                    location,
                    parameter.declared_at.clone(),
                ),
                None => {}
            }
        }
        for requirement in &operation.security {
            for name in requirement {
                if let Some(SecurityScheme::ApiKeyQuery(parameter)) =
                    self.document.security_scheme(name)
                {
                    declared.push(parameter);
                }
            }
        }
        let undeclared: Vec<String> = self
            .request
            .query
            .keys()
            .filter(|name| !declared.contains(name))
            .cloned()
            .collect();
        for name in undeclared {
            self.report(
                Code::RequestQueryUnknown,
                format!("query parameter {name} is not declared by the operation"),
                self.at(&format!("request.query.{name}")),
                operation.location.clone(),
            );
        }
    }

    fn check_request_body(&mut self, operation: &Operation, valid_request: bool) {
        let header = header_text(&self.request.headers, "content-type").unwrap_or_default();
        let content_type = if header.is_empty() {
            "application/json".to_string()
        } else {
            find_matching(&header, &operation.consumes)
                .map(String::from)
                .unwrap_or_else(|| header.clone())
        };
        let spec = operation.request_body.as_ref();
        let media = spec.and_then(|b| {
            let types: Vec<String> = b.content.iter().map(|m| m.media_type.clone()).collect();
            let chosen = find_matching(&content_type, &types)?;
            b.content.iter().find(|m| m.media_type == chosen)
        });
        let schema = media.and_then(|m| m.schema.as_ref());
        let required = spec.is_some_and(|b| b.required);
        let body = body_value(&self.request.body);
        if !required && body.is_none() {
            return;
        }
        let body_location = self.at("request.body");
        let content_location = spec
            .map(|b| format!("{}.content", b.declared_at))
            .unwrap_or_else(|| format!("{}.requestBody", operation.location));
        match body_check(&content_type, body.is_some()) {
            BodyCheck::Skip => return,
            BodyCheck::Unvalidatable => {
                if valid_request {
                    self.report(
                        Code::RequestBodyUnvalidatable,
                        format!("a request body of type '{content_type}' cannot be checked against a schema"),
                        body_location,
                        content_location,
                    );
                }
                return;
            }
            BodyCheck::Validate => {}
        }
        if !valid_request {
            return;
        }
        match (schema, &body) {
            (Some(slot), Some(value)) => {
                let value = match value {
                    Value::String(text) if is_form(&header) => form_value(text),
                    other => other.clone(),
                };
                for violation in self.validate(slot, Mode::Request, &value, &body_location) {
                    self.report(
                        Code::RequestBodyIncompatible,
                        format!("request body: {}", violation.message),
                        violation.value_location,
                        violation.schema_location,
                    );
                }
            }
            (Some(slot), None) => self.report(
                Code::RequestBodyIncompatible,
                "the operation requires a request body and the request has none".into(),
                body_location,
                slot.location.clone(),
            ),
            (None, Some(_)) => self.report(
                Code::RequestBodyUnknown,
                format!("the document has no schema for a request body of type '{content_type}'"),
                body_location,
                content_location,
            ),
            (None, None) => {}
        }
    }

    /// Returns whether the expected content type is incompatible (then the body is not checked).
    fn check_response_headers(&mut self, operation: &Operation) -> bool {
        let Some((response, _)) = operation.response_for(self.response.status) else {
            return false;
        };
        let available: Vec<String> = response
            .content
            .iter()
            .map(|m| m.media_type.clone())
            .collect();
        let headers = &self.response.headers;
        let content_type_full = header_text(headers, "content-type");
        let content_type = content_type_full
            .as_deref()
            .map(|c| c.split(';').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let mut incompatible = false;
        if !content_type.is_empty() && available.is_empty() {
            self.report(
                Code::ResponseContentTypeUnknown,
                format!(
                    "a Content-Type is expected but response {} declares no media types",
                    response.status
                ),
                self.at("response.headers.content-type"),
                operation.location.clone(),
            );
        }
        if !content_type.is_empty()
            && !available.is_empty()
            && find_matching(&content_type, &available).is_none()
        {
            incompatible = true;
            self.report(
                Code::ResponseContentTypeIncompatible,
                format!(
                    "Content-Type '{}' is not one response {} produces ({})",
                    content_type_full.unwrap_or_default(),
                    response.status,
                    available.join(", ")
                ),
                self.at("response.headers.content-type"),
                format!("{}.content", response.declared_at),
            );
        }
        let mut seen: Vec<String> = vec!["content-type".into()];
        for (name, slot) in &response.headers {
            seen.push(name.clone());
            let (Some(text), Some(slot)) = (header_text(headers, name), slot) else {
                continue;
            };
            let location = self.at(&format!("response.headers.{name}"));
            let value = coerce(self.document.root(), &slot.raw, Value::String(text));
            for violation in self.validate(slot, Mode::Request, &value, &location) {
                self.report(
                    Code::ResponseHeaderIncompatible,
                    format!("response header {name}: {}", violation.message),
                    violation.value_location,
                    violation.schema_location,
                );
            }
        }
        let expected: Vec<String> = headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        for name in expected {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            if STANDARD_RESPONSE_HEADERS.contains(&name.as_str()) {
                self.report(
                    Code::ResponseHeaderUndefined,
                    format!("the standard response header {name} is not declared by the document"),
                    self.at(&format!("response.headers.{name}")),
                    operation.location.clone(),
                );
            } else {
                self.report(
                    Code::ResponseHeaderUnknown,
                    format!(
                        "response header {name} is not declared by response {}",
                        response.status
                    ),
                    self.at(&format!("response.headers.{name}")),
                    format!("{}.headers", response.declared_at),
                );
            }
        }
        incompatible
    }

    fn check_response_body(&mut self, operation: &Operation) {
        let status = self.response.status;
        let Some((response, only_default)) = operation.response_for(status) else {
            self.report(
                Code::ResponseStatusUnknown,
                format!("status {status} is not a response of {}", operation.label()),
                self.at("response.status"),
                format!("{}.responses", operation.location),
            );
            return;
        };
        let available: Vec<String> = response
            .content
            .iter()
            .map(|m| m.media_type.clone())
            .collect();
        let accept = header_text(&self.request.headers, "accept")
            .unwrap_or_else(|| "application/json".into());
        let content_type = find_matching(&accept, &available)
            .map(String::from)
            .or_else(|| available.first().cloned())
            .unwrap_or_else(|| "application/json".into());
        let schema = response
            .content
            .iter()
            .find(|m| Some(m.media_type.as_str()) == find_matching(&content_type, &available))
            .and_then(|m| m.schema.as_ref());
        if only_default {
            self.report(
                Code::ResponseStatusDefault,
                format!(
                    "status {status} is only covered by the default response of {}",
                    operation.label()
                ),
                self.at("response.status"),
                format!("{}.responses", operation.location),
            );
        }
        let body = body_value(&self.response.body);
        let body_location = self.at("response.body");
        match body_check(&content_type, body.is_some()) {
            BodyCheck::Skip => {}
            BodyCheck::Unvalidatable => self.report(
                Code::ResponseBodyUnvalidatable,
                format!(
                    "a response body of type '{content_type}' cannot be checked against a schema"
                ),
                body_location,
                format!("{}.content", response.declared_at),
            ),
            BodyCheck::Validate => {
                let Some(value) = body.filter(truthy) else {
                    return;
                };
                match schema {
                    None => self.report(
                        Code::ResponseBodyUnknown,
                        format!(
                            "response {} has no schema for a body of type '{content_type}'",
                            response.status
                        ),
                        body_location,
                        format!("{}.content", response.declared_at),
                    ),
                    Some(slot) => {
                        for violation in self.validate(slot, Mode::Response, &value, &body_location)
                        {
                            self.report(
                                Code::ResponseBodyIncompatible,
                                format!("response body: {}", violation.message),
                                violation.value_location,
                                violation.schema_location,
                            );
                        }
                    }
                }
            }
        }
    }
}
