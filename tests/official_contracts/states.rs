//! The provider states of the official client's contracts, set up through pactum's store.
//!
//! What each state means is taken from the Pact Broker's own verification of these contracts
//! (pact_broker `spec/service_consumers/`): the same pacticipants, versions, branches, tags,
//! environments (with the uuids the contracts name), deployments, contracts and verification
//! results, each made with one of `pactum::broker::Store`'s operations. States that only say
//! what the index resource holds need nothing.

use serde_json::{Value, json};

use pactum::broker::Store;
use pactum::broker::store::{
    DeploymentKind, EnvironmentFields, NewContract, NewVerification, OnConflict, PactRef,
    PacticipantFields, Publication, Scope, StoreError, WebhookFields,
};
use pactum::broker_api::WebhookRequest;
use pactum::broker_api::webhooks::DEFAULT_EVENT;

/// The repository URL the Pact Broker's test data gives the `Pricing Service`.
const PRICING_SERVICE_REPOSITORY: &str =
    "git@git.realestate.com.au:business-systems/pricing-service";

/// Sets up the provider state named `state` in an empty broker; an error names a state nothing
/// here knows how to set up.
pub async fn set_up(store: &Store, state: &str) -> Result<(), String> {
    let mut data = Data::new(store);
    match state {
        // What the index resource holds needs no data.
        "the pacticipant relations are present"
        | "the pb:environments relation exists in the index resource"
        | "the pb:latest-tagged-version relation exists in the index resource"
        | "the pb:latest-version relation exists in the index resource"
        | "the pb:pacticipant-branch relation exists in the index resource"
        | "the pb:pacticipant-version and pb:environments relations exist in the index resource"
        | "the pb:publish-contracts relations exists in the index resource"
        | "the pb:publish-provider-contract relation exists in the index resource" => {}

        // Absences: the broker starts empty.
        "the 'Pricing Service' does not exist in the pact-broker"
        | "'Condor' does not exist in the pact-broker"
        | "no pact between Condor and the Pricing Service exists" => {}

        "a pacticipant with name Foo exists" => data.pacticipant("Foo", None).await?,
        "'Condor' exists in the pact-broker" => {
            data.pacticipant("Condor", None).await?;
            data.version("Condor", "1.3.0", None, &[]).await?;
        }
        "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'" => {
            data.version("Condor", "1.3.0", None, &["prod"]).await?;
        }
        "'Condor' exists in the pact-broker with the latest version 1.2.3" => {
            data.version("Condor", "1.0.0", None, &[]).await?;
            data.version("Condor", "1.2.3", None, &[]).await?;
        }
        "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3" => {
            data.version("Condor", "1.2.3", None, &["production"])
                .await?;
            data.version("Condor", "2.0.0", None, &[]).await?;
        }
        "the 'Pricing Service' already exists in the pact-broker" => {
            data.pacticipant("Pricing Service", Some(PRICING_SERVICE_REPOSITORY))
                .await?;
            data.version("Pricing Service", "1.3.0", None, &[]).await?;
        }
        "the 'Pricing Service' and 'Condor' already exist in the pact-broker" => {
            data.pacticipant("Condor", None).await?;
            data.pacticipant("Pricing Service", None).await?;
        }
        "a branch named main exists for pacticipant Foo" => {
            data.version("Foo", "1", Some("main"), &[]).await?;
        }

        // Contracts between Condor and the Pricing Service, served back as they were published:
        // no interactions, as in the Pact Broker's test data.
        "a pact between Condor and the Pricing Service exists"
        | "the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0" =>
        {
            data.pacticipant("Condor", None).await?;
            data.pacticipant("Pricing Service", Some(PRICING_SERVICE_REPOSITORY))
                .await?;
            data.empty_pact("Condor", "1.3.0", &[], "Pricing Service")
                .await?;
        }
        "a latest pact between Condor and the Pricing Service exists" => {
            data.empty_pact("Condor", "1.3.0", &[], "Pricing Service")
                .await?;
        }
        "tagged as prod pact between Condor and the Pricing Service exists"
        | "a pact between Condor and the Pricing Service exists for the production version of Condor" =>
        {
            data.empty_pact("Condor", "1.3.0", &["prod"], "Pricing Service")
                .await?;
        }

        // Contracts and verification results for the matrix.
        "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6" => {
            verified_twice_then_again(&mut data, "Foo Thing").await?;
        }
        "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6" => {
            verified_twice_then_again(&mut data, "Foo").await?;
        }
        "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6" => {
            data.pact("Foo", "1.2.3", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("4.5.6", true).await?;
            data.pact("Foo", "1.2.4", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("4.5.6", true).await?;
        }
        "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9" =>
        {
            data.pact("Foo", "1.2.3", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("4.5.6", true).await?;
            data.pact("Foo", "1.2.4", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("9.9.9", false).await?;
        }
        "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9" =>
        {
            data.pact("Foo", "1.2.3", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("4.5.6", true).await?;
            data.tag("Bar", "4.5.6", "prod").await?;
            data.pact("Foo", "1.2.4", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("9.9.9", false).await?;
        }
        "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7" =>
        {
            data.pact("Foo", "1.2.3", &[], "Bar").await?;
            data.revise().await?;
            data.verified_by("4.5.6", true).await?;
            data.verified_by("5.6.7", true).await?;
        }
        "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7" =>
        {
            data.pact("Foo", "1.2.3", &[], "Bar").await?;
            data.verified_by("4.5.6", true).await?;
            data.tag("Bar", "4.5.6", "prod").await?;
            data.verified_by("5.6.7", true).await?;
        }
        "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod" =>
        {
            data.pact("Foo", "1.2.3", &["prod"], "Bar").await?;
            data.verified_by("4.5.6", true).await?;
            data.pact("Foo", "3.4.5", &["prod"], "Bar").await?;
            data.verified_by("4.5.6", false).await?;
        }

        // The Pact Broker's test data: a webhook for the pair, on the default event, POSTing to
        // `http://example.org` with a JSON content type.
        "a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists" => {
            data.pacticipant("Condor", None).await?;
            data.pacticipant("Pricing Service", None).await?;
            data.webhook(
                "696c5f93-1b7f-44bc-8d03-59440fcaa9a0",
                "Condor",
                "Pricing Service",
            )
            .await?;
        }

        // Environments and deployments, with the uuids the contracts' paths name.
        "an environment exists" => {
            let contacts = json!([{"name": "foo", "details": {"emailAddress": "foo@bar.com"}}]);
            data.environment("test", None, Some(contacts)).await?;
        }
        "an environment with name test exists" => data.environment("test", None, None).await?,
        "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists" => {
            data.environment("test", Some("16926ef3-590f-4e3f-838e-719717aa88c9"), None)
                .await?;
        }
        "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment"
        | "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release" =>
        {
            data.version("Foo", "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30", None, &[])
                .await?;
            data.environment("test", Some("cb632df3-0a0d-4227-aac3-60114dd36479"), None)
                .await?;
        }
        "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with 2 environments that aren't test available for deployment" =>
        {
            data.version("Foo", "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30", None, &[])
                .await?;
            data.environment("prod", None, None).await?;
            data.environment("dev", None, None).await?;
        }
        "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1" =>
        {
            let environment = "16926ef3-590f-4e3f-838e-719717aa88c9";
            data.environment("test", Some(environment), None).await?;
            data.version("Foo", "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30", None, &[])
                .await?;
            data.deployment(
                "ff3adecf-cfc5-4653-a4e3-f1861092f8e0",
                "Foo",
                "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30",
                environment,
                Some("customer-1"),
            )
            .await?;
        }
        "a currently deployed version exists" => {
            let environment = "cb632df3-0a0d-4227-aac3-60114dd36479";
            data.environment("test", Some(environment), None).await?;
            data.version("Foo", "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30", None, &[])
                .await?;
            data.deployment(
                "ff3adecf-cfc5-4653-a4e3-f1861092f8e0",
                "Foo",
                "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30",
                environment,
                None,
            )
            .await?;
        }

        unknown => {
            return Err(format!(
                "no set-up for provider state '{unknown}' (tests/official_contracts/states.rs)"
            ));
        }
    }
    Ok(())
}

/// The history behind "the pact for CONSUMER version 1.2.3 has been verified by Bar version
/// 4.5.6": 1.2.3's contract revised, then verified by 4.5.6 and 7.8.9; version 2.0.0 publishing
/// a contract that is revised and verified by 4.5.6 too.
async fn verified_twice_then_again(data: &mut Data<'_>, consumer: &str) -> Result<(), String> {
    data.pact(consumer, "1.2.3", &[], "Bar").await?;
    data.revise().await?;
    data.verified_by("4.5.6", true).await?;
    data.verified_by("7.8.9", true).await?;
    data.pact(consumer, "2.0.0", &[], "Bar").await?;
    data.revise().await?;
    data.verified_by("4.5.6", true).await
}

/// A store error with the fields of a validation error, for a set-up failure message.
fn why(error: StoreError) -> String {
    match error {
        StoreError::Invalid(fields) => fields
            .iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// Builds a state's data through the store, remembering the last contract published so that
/// revisions and verification results apply to it.
struct Data<'a> {
    store: &'a Store,
    /// Consumer, consumer version and provider of the last contract published.
    last_pact: Option<(String, String, String)>,
    /// How many contracts were published, so that each one's content differs.
    published: usize,
}

impl<'a> Data<'a> {
    fn new(store: &'a Store) -> Self {
        Data {
            store,
            last_pact: None,
            published: 0,
        }
    }

    async fn pacticipant(
        &mut self,
        name: &str,
        repository_url: Option<&str>,
    ) -> Result<(), String> {
        let fields = PacticipantFields {
            repository_url: repository_url.map(str::to_owned),
            ..PacticipantFields::default()
        };
        self.store
            .create_pacticipant(name, &fields)
            .await
            .map(drop)
            .map_err(why)
    }

    async fn version(
        &mut self,
        pacticipant: &str,
        number: &str,
        branch: Option<&str>,
        tags: &[&str],
    ) -> Result<(), String> {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        self.store
            .put_version(pacticipant, number, None, branch, &tags)
            .await
            .map(drop)
            .map_err(why)
    }

    async fn tag(&mut self, pacticipant: &str, number: &str, tag: &str) -> Result<(), String> {
        self.store
            .put_tag(pacticipant, number, tag)
            .await
            .map(drop)
            .map_err(why)
    }

    /// Publishes a contract from `consumer` `version` (tagged `tags`) for `provider` with one
    /// interaction no other contract of the state has: the Pact Broker's test data differs by a
    /// random member, which pactum's content hash (interactions only) does not see.
    async fn pact(
        &mut self,
        consumer: &str,
        version: &str,
        tags: &[&str],
        provider: &str,
    ) -> Result<(), String> {
        let interactions = vec![self.next_interaction()];
        self.publish(
            consumer,
            version,
            tags,
            provider,
            interactions,
            OnConflict::Reject,
        )
        .await
    }

    /// Publishes a contract without interactions (what the contracts expect served back).
    async fn empty_pact(
        &mut self,
        consumer: &str,
        version: &str,
        tags: &[&str],
        provider: &str,
    ) -> Result<(), String> {
        self.publish(
            consumer,
            version,
            tags,
            provider,
            Vec::new(),
            OnConflict::Reject,
        )
        .await
    }

    /// Publishes different content for the last contract's consumer version: a new revision.
    async fn revise(&mut self) -> Result<(), String> {
        let (consumer, version, provider) = self
            .last_pact
            .clone()
            .ok_or("a revision needs a contract published before it")?;
        let interactions = vec![self.next_interaction()];
        self.publish(
            &consumer,
            &version,
            &[],
            &provider,
            interactions,
            OnConflict::Overwrite,
        )
        .await
    }

    /// Records that `provider_version` verified the last contract's current content.
    async fn verified_by(&mut self, provider_version: &str, success: bool) -> Result<(), String> {
        let (consumer, version, provider) = self
            .last_pact
            .clone()
            .ok_or("a verification needs a contract published before it")?;
        let pact = self
            .store
            .pact(&provider, &consumer, PactRef::Version(&version))
            .await
            .map_err(why)?
            .ok_or("the contract just published is not found")?;
        let result = NewVerification {
            base_url: super::BASE_URL.to_owned(),
            provider_version: provider_version.to_owned(),
            success,
            build_url: None,
            test_results: Some(json!({"some": "results"})),
            verified_by: None,
            metadata: None,
        };
        self.store
            .record_verification(&provider, &consumer, &pact.sha, &result)
            .await
            .map(drop)
            .map_err(why)
    }

    async fn environment(
        &mut self,
        name: &str,
        uuid: Option<&str>,
        contacts: Option<Value>,
    ) -> Result<(), String> {
        // The Pact Broker's test data names an environment `test` "Test".
        let mut display_name = name.to_owned();
        display_name[..1].make_ascii_uppercase();
        let fields = EnvironmentFields {
            name: name.to_owned(),
            display_name: Some(display_name),
            production: false,
            contacts,
        };
        let created = match uuid {
            Some(uuid) => self.store.create_environment_with_uuid(uuid, &fields).await,
            None => self.store.create_environment(&fields).await,
        };
        created.map(drop).map_err(why)
    }

    async fn deployment(
        &mut self,
        uuid: &str,
        pacticipant: &str,
        version: &str,
        environment: &str,
        application_instance: Option<&str>,
    ) -> Result<(), String> {
        self.store
            .record_deployment_with_uuid(
                uuid,
                DeploymentKind::Deployed,
                pacticipant,
                version,
                environment,
                application_instance,
            )
            .await
            .map(drop)
            .map_err(why)
    }

    /// A webhook `uuid` for the pair, as the Pact Broker's test data makes one.
    async fn webhook(&mut self, uuid: &str, consumer: &str, provider: &str) -> Result<(), String> {
        let fields = WebhookFields {
            description: None,
            consumer: Some(Scope::Name(consumer.to_owned())),
            provider: Some(Scope::Name(provider.to_owned())),
            enabled: true,
            events: vec![DEFAULT_EVENT.to_owned()],
            request: WebhookRequest {
                method: "POST".to_owned(),
                url: "http://example.org".to_owned(),
                headers: [("content-type".to_owned(), "application/json".to_owned())].into(),
                body: None,
                username: None,
                password: None,
            },
        };
        self.store
            .put_webhook(uuid, &fields)
            .await
            .map(drop)
            .map_err(why)
    }

    fn next_interaction(&mut self) -> Value {
        self.published += 1;
        json!({
            "description": format!("a request for thing {}", self.published),
            "request": {"method": "GET", "path": format!("/things/{}", self.published)},
            "response": {"status": 200}
        })
    }

    async fn publish(
        &mut self,
        consumer: &str,
        version: &str,
        tags: &[&str],
        provider: &str,
        interactions: Vec<Value>,
        on_conflict: OnConflict,
    ) -> Result<(), String> {
        let content = json!({
            "consumer": {"name": consumer},
            "provider": {"name": provider},
            "interactions": interactions,
            "metadata": {"pactSpecification": {"version": "2.0.0"}}
        });
        let publication = Publication {
            base_url: super::BASE_URL.to_owned(),
            consumer: consumer.to_owned(),
            version: version.to_owned(),
            branch: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            build_url: None,
            contracts: vec![NewContract {
                provider: provider.to_owned(),
                content: content.to_string().into_bytes().into(),
                on_conflict,
            }],
        };
        self.store.publish(&publication).await.map_err(why)?;
        self.last_pact = Some((consumer.to_owned(), version.to_owned(), provider.to_owned()));
        Ok(())
    }
}
