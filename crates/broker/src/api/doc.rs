//! `/doc/{rel}`: one short HTML page per link relation, where the `curies` of the index (and of
//! other resources) point (`pb:publish-pact` → `/doc/publish-pact?context=index`). Each page
//! says what the resource is, which methods it takes and shows an example request. The pages
//! are static text with the broker's base URL filled in, escaped; nothing here reads the store.
//! Not here: a web UI.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/doc/{rel}", get(page))
}

/// The documentation of one relation.
struct Page {
    /// The relation's name without its curie prefix (`publish-pact`).
    rel: &'static str,
    /// What the resource is, as a heading.
    title: &'static str,
    /// Its path under the base URL, with the placeholders of the relation's template.
    path: &'static str,
    /// The methods it takes.
    methods: &'static [&'static str],
    /// What it is for and what it answers.
    about: &'static str,
    /// An example request; `{base}` stands for the broker's base URL.
    example: &'static str,
}

const PAGES: &[Page] = &[
    Page {
        rel: "publish-pact",
        title: "Publish a pact (the older API)",
        path: "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}",
        methods: &["GET", "PUT", "PATCH", "DELETE"],
        about: "The contract one consumer version has with one provider. PUT the pact JSON to \
                publish it (the pacticipants and the version are created when missing); PATCH \
                merges the interactions sent into the stored contract; GET reads it back with \
                the broker's links; DELETE removes it. New clients publish through \
                pb:publish-contracts instead, which also sets the version's branch and tags.",
        example: "PUT {base}/pacts/provider/product-api/consumer/web-shop/version/1.0.0\n\
                  Content-Type: application/json\n\n\
                  {\"consumer\": {\"name\": \"web-shop\"}, \"provider\": {\"name\": \"product-api\"}, \
                  \"interactions\": [], \"metadata\": {\"pactSpecification\": {\"version\": \"3.0.0\"}}}",
    },
    Page {
        rel: "publish-contracts",
        title: "Publish contracts",
        path: "/contracts/publish",
        methods: &["POST"],
        about: "Publishes the contracts of one consumer version in one request: the version \
                number, its branch and tags, and one base64-encoded pact per provider. The \
                answer lists what happened as notices, with links to each published contract. \
                Publishing identical content again changes nothing; different content for a \
                version that already published is refused (409) unless the contract asks to \
                overwrite or merge.",
        example: "POST {base}/contracts/publish\nContent-Type: application/json\n\n\
                  {\"pacticipantName\": \"web-shop\", \"pacticipantVersionNumber\": \"1.0.0\", \
                  \"branch\": \"main\", \"tags\": [\"dev\"], \"contracts\": [{\"consumerName\": \
                  \"web-shop\", \"providerName\": \"product-api\", \"specification\": \"pact\", \
                  \"contentType\": \"application/json\", \"content\": \"<base64 pact JSON>\"}]}",
    },
    Page {
        rel: "publish-provider-contract",
        title: "Publish a provider contract",
        path: "/provider-contracts/provider/{provider}/publish",
        methods: &["POST"],
        about: "Publishes a provider version's OpenAPI document (JSON or YAML, base64-encoded) \
                with the result of the provider's own tests against it, as PactFlow's API \
                does; the version, its branch and tags are created when missing. A provider \
                version has one provider contract: publishing again replaces it. A document \
                that cannot be read is refused (400) naming where; one that is not an OpenAPI \
                document pactum can use is stored with a warning notice. The older \
                PUT /contracts/provider/{provider}/version/{version} does the same, and a GET \
                there reads the contract back.",
        example: "POST {base}/provider-contracts/provider/product-api/publish\n\
                  Content-Type: application/json\n\n\
                  {\"pacticipantVersionNumber\": \"1.0.0\", \"branch\": \"main\", \
                  \"contract\": {\"content\": \"<base64 OpenAPI document>\", \
                  \"contentType\": \"application/yaml\", \"specification\": \"oas\", \
                  \"selfVerificationResults\": {\"success\": true, \"verifier\": \
                  \"schemathesis\", \"content\": \"<base64 report>\", \"contentType\": \
                  \"text/plain\"}}}",
    },
    Page {
        rel: "latest-pact-versions",
        title: "Latest pact versions",
        path: "/pacts/latest",
        methods: &["GET"],
        about: "The latest contract of every consumer/provider pair: the one published by the \
                consumer's newest version that published for that provider, with the consumer \
                version embedded.",
        example: "GET {base}/pacts/latest",
    },
    Page {
        rel: "pacts",
        title: "Latest pacts",
        path: "/pacts/latest",
        methods: &["GET"],
        about: "In the list of latest pact versions: the latest contract of each \
                consumer/provider pair, as links.",
        example: "GET {base}/pacts/latest",
    },
    Page {
        rel: "tagged-pact-versions",
        title: "Pact versions by consumer version tag",
        path: "/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}",
        methods: &["GET", "DELETE"],
        about: "Every contract the consumer's versions with the tag published for the provider, \
                newest first. DELETE removes those contracts (the versions and their tags stay).",
        example: "GET {base}/pacts/provider/product-api/consumer/web-shop/tag/prod",
    },
    Page {
        rel: "pacticipants",
        title: "Pacticipants",
        path: "/pacticipants",
        methods: &["GET", "POST"],
        about: "Every application known to the broker, consumer or provider. POST a name (and \
                optionally a display name, main branch and repository details) to create one; \
                publishing creates them too.",
        example: "POST {base}/pacticipants\nContent-Type: application/json\n\n\
                  {\"name\": \"web-shop\", \"mainBranch\": \"main\"}",
    },
    Page {
        rel: "pacticipant",
        title: "Pacticipant",
        path: "/pacticipants/{pacticipant}",
        methods: &["GET", "PUT", "PATCH", "DELETE"],
        about: "One application, with links to its versions, branches and latest version. \
                PATCH changes the properties sent (and creates a missing pacticipant); PUT \
                replaces them all; DELETE removes it with everything it published.",
        example: "PATCH {base}/pacticipants/web-shop\nContent-Type: application/json\n\n\
                  {\"repositoryUrl\": \"https://git.example.com/web-shop\"}",
    },
    Page {
        rel: "latest-provider-pacts",
        title: "Latest pacts for a provider",
        path: "/pacts/provider/{provider}/latest",
        methods: &["GET"],
        about: "For one provider, the latest contract of each of its consumers, as links named \
                after the consumer.",
        example: "GET {base}/pacts/provider/product-api/latest",
    },
    Page {
        rel: "latest-provider-pacts-with-tag",
        title: "Latest tagged pacts for a provider",
        path: "/pacts/provider/{provider}/latest/{tag}",
        methods: &["GET"],
        about: "For one provider, the contract of each consumer's latest version with the tag \
                (for example the versions tagged prod), as links named after the consumer.",
        example: "GET {base}/pacts/provider/product-api/latest/prod",
    },
    Page {
        rel: "provider-pacts-with-tag",
        title: "A provider's pacts by consumer version tag",
        path: "/pacts/provider/{provider}/tag/{tag}",
        methods: &["GET"],
        about: "Every contract published for the provider by a consumer version with the tag, \
                not only the latest: useful to keep a provider compatible with every released \
                version of a mobile consumer.",
        example: "GET {base}/pacts/provider/product-api/tag/prod",
    },
    Page {
        rel: "provider-pacts",
        title: "A provider's pacts",
        path: "/pacts/provider/{provider}",
        methods: &["GET"],
        about: "Every contract published for the provider, one per consumer version, by \
                consumer name, oldest version first.",
        example: "GET {base}/pacts/provider/product-api",
    },
    Page {
        rel: "latest-version",
        title: "Latest version of a pacticipant",
        path: "/pacticipants/{pacticipant}/latest-version",
        methods: &["GET"],
        about: "The pacticipant's newest version, with its branches, tags and the links that \
                record a deployment or release of it.",
        example: "GET {base}/pacticipants/web-shop/latest-version",
    },
    Page {
        rel: "latest-tagged-version",
        title: "Latest version of a pacticipant with a tag",
        path: "/pacticipants/{pacticipant}/latest-version/{tag}",
        methods: &["GET"],
        about: "The pacticipant's newest version with the tag.",
        example: "GET {base}/pacticipants/web-shop/latest-version/prod",
    },
    Page {
        rel: "pacticipant-version-tag",
        title: "Version tag",
        path: "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        methods: &["GET", "PUT", "DELETE"],
        about: "A tag on a pacticipant version. PUT adds it (creating the pacticipant and the \
                version when missing; the body may be empty); DELETE removes it. Branches have \
                replaced tags for most uses.",
        example: "PUT {base}/pacticipants/web-shop/versions/1.0.0/tags/prod",
    },
    Page {
        rel: "pacticipant-branch",
        title: "Branch",
        path: "/pacticipants/{pacticipant}/branches/{branch}",
        methods: &["GET", "DELETE"],
        about: "A branch of a pacticipant, with a link to its latest version. DELETE removes the \
                branch (its versions stay). A branch name with a slash is sent encoded \
                (feat%2Fx).",
        example: "GET {base}/pacticipants/web-shop/branches/main",
    },
    Page {
        rel: "pacticipant-branch-version",
        title: "Version on a branch",
        path: "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        methods: &["GET", "PUT"],
        about: "A version as a member of a branch. PUT adds the version to the branch (creating \
                the pacticipant, branch and version when missing); the newest version added is \
                the branch's head.",
        example: "PUT {base}/pacticipants/product-api/branches/main/versions/2.3.1",
    },
    Page {
        rel: "pacticipant-version",
        title: "Pacticipant version",
        path: "/pacticipants/{pacticipant}/versions/{version}",
        methods: &["GET", "PUT", "PATCH", "DELETE"],
        about: "One version of a pacticipant, with its branches and tags, and one link per \
                environment to record a deployment (pb:record-deployment) or a release \
                (pb:record-release) of it. PUT creates it (the body may be empty or give a \
                buildUrl); DELETE removes it with its contracts and verification results.",
        example: "GET {base}/pacticipants/web-shop/versions/1.0.0",
    },
    Page {
        rel: "provider-pacts-for-verification",
        title: "Pacts for verification",
        path: "/pacts/provider/{provider}/for-verification",
        methods: &["GET", "POST"],
        about: "The contracts a provider should verify. POST consumer version selectors (for \
                example the consumers' main branches and what is deployed), the provider's \
                branch, and whether to include pending and work-in-progress contracts; each \
                contract comes with why it was selected and whether a failure should fail the \
                provider's build. A read-only credential may POST here.",
        example: "POST {base}/pacts/provider/product-api/for-verification\n\
                  Content-Type: application/json\n\n\
                  {\"consumerVersionSelectors\": [{\"mainBranch\": true}, {\"deployedOrReleased\": true}], \
                  \"providerVersionBranch\": \"main\", \"includePendingStatus\": true}",
    },
    Page {
        rel: "environments",
        title: "Environments",
        path: "/environments",
        methods: &["GET", "POST"],
        about: "The places versions are deployed to or released in. POST a name (without \
                spaces), whether it is production, and optionally a display name and contacts. \
                GET ?name=production finds one by name.",
        example: "POST {base}/environments\nContent-Type: application/json\n\n\
                  {\"name\": \"production\", \"production\": true}",
    },
    Page {
        rel: "environment",
        title: "Environment",
        path: "/environments/{uuid}",
        methods: &["GET", "PUT", "DELETE"],
        about: "One environment, by the uuid the broker gave it, with links to the versions \
                currently deployed to it and currently released and supported in it. PUT \
                replaces its properties; DELETE removes it with its deployment records.",
        example: "GET {base}/environments/4f3c7a4e-1b8d-4d0e-9a55-0c2f6b1e7d21",
    },
    Page {
        rel: "integrations",
        title: "Integrations",
        path: "/integrations",
        methods: &["GET"],
        about: "Every consumer/provider pair that exchanged a contract, with a link to the pair's \
                matrix. ?q=shop keeps the pairs one of whose names contains shop (ignoring case); \
                ?page=2&size=50 asks for one page. DELETE on a pair's \
                /integrations/provider/{provider}/consumer/{consumer} removes its contracts and \
                verification results.",
        example: "GET {base}/integrations?q=web-shop",
    },
    Page {
        rel: "metrics",
        title: "Metrics",
        path: "/metrics",
        methods: &["GET"],
        about: "How many of each kind of thing the broker holds: pacticipants, versions, \
                contracts, verification results, environments, deployments…",
        example: "GET {base}/metrics",
    },
    Page {
        rel: "can-i-deploy-pacticipant-version-to-environment",
        title: "Can I deploy a version to an environment?",
        path: "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        methods: &["GET"],
        about: "Whether the version is compatible with every version currently deployed to or \
                released in the environment: the answer's summary says deployable true, false \
                or null (unknown, for example while a verification is missing), with the reasons \
                and the matrix rows behind it.",
        example: "GET {base}/can-i-deploy?pacticipant=web-shop&version=1.0.0&environment=production",
    },
    Page {
        rel: "can-i-deploy-pacticipant-version-to-tag",
        title: "Can I deploy a version to the versions with a tag?",
        path: "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}",
        methods: &["GET"],
        about: "Whether the version is compatible with the latest version of each of its \
                integrations with the tag (the older way of naming an environment).",
        example: "GET {base}/can-i-deploy?pacticipant=web-shop&version=1.0.0&to=prod",
    },
    Page {
        rel: "webhooks",
        title: "Webhooks",
        path: "/webhooks",
        methods: &["GET", "POST"],
        about: "Every webhook; POST a webhook to create one. A webhook names the events it fires \
                on (contract_published, contract_content_changed, \
                contract_requiring_verification_published, provider_verification_published, \
                provider_verification_succeeded, provider_verification_failed), optionally a \
                consumer and a provider, and the request to send, with ${pactbroker.X} \
                placeholders filled in from the event and ${user.X} from the broker's secrets. \
                Scoped lists: /webhooks/consumer/{consumer}, /webhooks/provider/{provider}, \
                /webhooks/provider/{provider}/consumer/{consumer}. Deliveries are written with \
                the change that triggers them and retried until the receiver answers with a \
                success code.",
        example: "POST {base}/webhooks\n\n{\"events\": [{\"name\": \"contract_requiring_verification_published\"}], \
                  \"request\": {\"method\": \"POST\", \"url\": \"https://ci.example/build?pact=${pactbroker.pactUrl}\"}}",
    },
    Page {
        rel: "webhook",
        title: "A webhook",
        path: "/webhooks/{uuid}",
        methods: &["GET", "PUT", "DELETE"],
        about: "One webhook, its password and credential headers shown as **********. PUT \
                replaces it, or creates it under the id given; DELETE removes it (deliveries \
                still pending then fail).",
        example: "GET {base}/webhooks/0f6c4a2e-5d9b-4a53-9d55-1f7c3b2a9e10",
    },
    Page {
        rel: "cross-checks",
        title: "Cross-checks of a provider version",
        path: "/cross-checks/provider/{provider}/version/{version}",
        methods: &["GET"],
        about: "Every consumer contract the provider version's OpenAPI document (its provider \
                contract) was checked against, or is being: for each, the consumer and its \
                versions with that contract, the state (pending, success, failure) and every \
                finding with the comparator's code (response.body.incompatible, ...), the \
                interaction, and where in the contract and in the document. \
                .../consumer/{consumer} lists one consumer's; /cross-checks/{id} is one \
                cross-check; .../coverage (relation pactum:coverage) is which operations, \
                statuses, parameters and fields of the document those contracts use, and which \
                none does. A pactum resource: PactFlow has no public one.",
        example: "GET {base}/cross-checks/provider/order-api/version/2.1.0/consumer/web-shop",
    },
    Page {
        rel: "execute",
        title: "Test a webhook",
        path: "/webhooks/{uuid}/execute",
        methods: &["POST"],
        about: "Sends the webhook's request now, rendered with the latest pact between its \
                consumer and provider (or placeholder values), and answers with the request, \
                the response, the logs and whether it succeeded. POST /webhooks/execute does the \
                same for a webhook given in the body, without saving it.",
        example: "POST {base}/webhooks/0f6c4a2e-5d9b-4a53-9d55-1f7c3b2a9e10/execute",
    },
    Page {
        rel: "pact-webhooks",
        title: "Webhooks of a pact",
        path: "/pacts/provider/{provider}/consumer/{consumer}/webhooks",
        methods: &["GET", "POST"],
        about: "The webhooks that fire for contracts between the consumer and the provider \
                (including those for every consumer or provider); POST creates one for the \
                pair. .../webhooks/status shows the latest delivery of each.",
        example: "GET {base}/pacts/provider/inventory-api/consumer/web-shop/webhooks/status",
    },
    Page {
        rel: "logs",
        title: "A webhook delivery's logs",
        path: "/triggered-webhooks/{uuid}/logs",
        methods: &["GET"],
        about: "One delivery of a webhook: its event, status, and each attempt with its time, \
                duration, response status or error, and the exchange as text (credentials \
                redacted, response bodies cut short).",
        example: "GET {base}/triggered-webhooks/6a1f0c3e-2b7d-4e8f-9a10-3c5d7e9f1b2a/logs",
    },
    Page {
        rel: "error-logs",
        title: "Logs of failing webhook deliveries",
        path: "/triggered-webhooks/{uuid}/logs",
        methods: &["GET"],
        about: "The logs of a delivery that failed or is being retried (see the logs relation).",
        example: "GET {base}/triggered-webhooks/6a1f0c3e-2b7d-4e8f-9a10-3c5d7e9f1b2a/logs",
    },
];

/// The page of `rel`, which may still carry its curie prefix (`pb:publish-pact`).
fn find(rel: &str) -> Option<&'static Page> {
    let name = rel
        .split_once(':')
        .map_or(rel, |(prefix, name)| match prefix {
            "pb" | "beta" | "pf" | "pactum" => name,
            _ => rel,
        });
    PAGES.iter().find(|page| page.rel == name)
}

/// `text` safe inside HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page as a self-contained HTML document.
fn render(page: &Page, base: &str) -> String {
    let methods: Vec<String> = page
        .methods
        .iter()
        .map(|m| format!("<code>{m}</code>"))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title} — pactum broker</title>\n</head>\n<body>\n\
         <h1>{title}</h1>\n\
         <p>Relation: <code>pb:{rel}</code></p>\n\
         <p>Path: <code>{path}</code></p>\n\
         <p>Methods: {methods}</p>\n\
         <p>{about}</p>\n\
         <h2>Example</h2>\n<pre>{example}</pre>\n\
         <p><a href=\"{index}\">All relations: the index</a></p>\n\
         </body>\n</html>\n",
        title = escape(page.title),
        rel = escape(page.rel),
        path = escape(page.path),
        methods = methods.join(", "),
        about = escape(page.about),
        example = escape(&page.example.replace("{base}", base)),
        index = escape(&format!("{base}/")),
    )
}

/// `GET /doc/{rel}` (`?context=` is accepted and does not change the page).
async fn page(Base(base): Base, Path(rel): Path<String>) -> ApiResult<Response> {
    let page = find(&rel).ok_or_else(|| {
        ApiError::not_found(format!(
            "no documentation for the relation `{rel}`; the index ({base}/) lists the relations"
        ))
    })?;
    let mut response = render(page, &base).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every relation the index documents through its curies has a page, whose path is the
    /// relation's href.
    #[test]
    fn every_curied_index_relation_has_a_page_with_its_path() {
        for (rel, href, _, _) in super::super::RELATIONS {
            if !rel.contains(':') {
                continue;
            }
            let page = find(rel).unwrap_or_else(|| panic!("no /doc page for {rel}"));
            assert_eq!(page.path, *href, "the /doc page of {rel}");
        }
    }

    #[test]
    fn names_are_found_with_or_without_their_prefix_and_text_is_escaped() {
        assert_eq!(find("publish-pact").unwrap().rel, "publish-pact");
        assert_eq!(
            find("beta:provider-pacts-for-verification").unwrap().rel,
            "provider-pacts-for-verification"
        );
        assert!(find("nope").is_none());
        assert!(find("other:publish-pact").is_none());
        let html = render(find("metrics").unwrap(), "http://h<script>");
        assert!(html.contains("http://h&lt;script&gt;/metrics"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
