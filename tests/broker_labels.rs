//! Pacticipant labels on SQLite and PostgreSQL: put, read and take off a label with the Pact
//! Broker's resources, list the pacticipants carrying one, see them embedded in the pacticipant,
//! and the refusals (an unknown pacticipant, a bad name).

use serde_json::{Value, json};

use crate::support::broker::{TestBroker, TestDb, backends};

fn names(list: &Value) -> Vec<&str> {
    list["_embedded"]["pacticipants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

#[test]
fn labels_round_trip_and_list_their_pacticipants() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);

        // As the Pact Broker: labelling an unknown pacticipant is a 404, and creates nothing.
        let (status, body) = broker.put("/pacticipants/web/labels/team-a", &json!({}));
        assert_eq!(status, 404, "{kind:?}: {body}");
        assert_eq!(broker.get("/pacticipants/web").0, 404);

        for name in ["web", "mobile", "api"] {
            let (status, body) = broker.post("/pacticipants", &json!({"name": name}));
            assert_eq!(status, 201, "{body}");
        }
        let (status, label) = broker.put("/pacticipants/web/labels/team-a", &json!({}));
        assert_eq!(status, 201, "{kind:?}: {label}");
        assert_eq!(label["name"], "team-a");
        assert!(label["createdAt"].is_string(), "{label}");
        let self_href = label["_links"]["self"]["href"].as_str().unwrap();
        assert_eq!(
            self_href,
            format!("{}/pacticipants/web/labels/team-a", broker.url)
        );
        assert_eq!(
            label["_links"]["pacticipant"]["href"],
            format!("{}/pacticipants/web", broker.url)
        );
        // Again: the same label, 200.
        let (status, again) = broker.put("/pacticipants/web/labels/team-a", &json!({}));
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["createdAt"], label["createdAt"]);
        assert_eq!(broker.ok(self_href)["name"], "team-a");
        // Without a body too, as clients send it.
        let (status, body) = broker.send(
            reqwest::Method::PUT,
            "/pacticipants/mobile/labels/team-b",
            None,
        );
        assert_eq!(status, 201, "{body}");
        let (status, body) = broker.put("/pacticipants/api/labels/team-a", &json!({}));
        assert_eq!(status, 201, "{body}");

        // Embedded in the pacticipant, alone and in the list.
        let web = broker.ok("/pacticipants/web");
        assert_eq!(web["_embedded"]["labels"][0]["name"], "team-a", "{web}");
        assert_eq!(web["_embedded"]["labels"].as_array().unwrap().len(), 1);
        let all = broker.ok("/pacticipants");
        let mobile = &all["_embedded"]["pacticipants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "mobile")
            .unwrap()["_embedded"]["labels"];
        assert_eq!(mobile.as_array().unwrap().len(), 1, "{mobile}");
        assert_eq!(mobile[0]["name"], "team-b");

        // The pacticipants carrying a label.
        let team_a = broker.ok("/pacticipants/label/team-a");
        assert_eq!(names(&team_a), ["api", "web"], "{kind:?}: {team_a}");
        assert_eq!(
            team_a["_links"]["self"]["href"],
            format!("{}/pacticipants/label/team-a", broker.url)
        );
        assert!(names(&broker.ok("/pacticipants/label/nobody")).is_empty());

        // A bad name is refused naming the field; nothing is stored.
        let (status, body) = broker.put("/pacticipants/web/labels/%20", &json!({}));
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("label"), "{body}");
        assert_eq!(
            broker.ok("/pacticipants/web")["_embedded"]["labels"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // Taken off: gone, and a second DELETE or a GET is a 404.
        assert_eq!(broker.delete("/pacticipants/web/labels/team-a").0, 204);
        assert_eq!(broker.get("/pacticipants/web/labels/team-a").0, 404);
        assert_eq!(broker.delete("/pacticipants/web/labels/team-a").0, 404);
        assert_eq!(names(&broker.ok("/pacticipants/label/team-a")), ["api"]);

        // Labels go with their pacticipant.
        assert_eq!(broker.delete("/pacticipants/api").0, 204);
        assert!(names(&broker.ok("/pacticipants/label/team-a")).is_empty());
        let (status, body) = broker.post("/pacticipants", &json!({"name": "api"}));
        assert_eq!(status, 201, "{body}");
        assert!(
            broker.ok("/pacticipants/api")["_embedded"]["labels"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}
