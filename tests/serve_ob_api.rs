//! The Open Badges 3.0 API of `openbadges serve`: discovery, listing with paging, upsert,
//! profile, each with and without the right scope; everything returned verifies and is what
//! went in; `openbadges import --from URL --token T` pulls it all.
#![cfg(feature = "server")]

mod serve_support;

use openbadges::issue::Issuer;
use openbadges::keys::SigningKey;
use openbadges::proof::Suite;
use serde_json::{json, Value};
use serve_support::*;

const RO: &str = "credential.readonly";
const UP: &str = "credential.upsert";

/// A badge from another issuer (a did:key), as a wallet would hold it.
fn foreign_badge(n: u8) -> Value {
    let issuer = Issuer::new(
        json!({"name": "Lakeshore County Schools"}),
        SigningKey::from_seed(&[n; 32]),
    )
    .unwrap();
    let mut b = badge("did:example:maria");
    b.as_object_mut().unwrap().remove("issuer");
    b["credentialSubject"]["achievement"]["name"] = json!(format!("Lakeshore badge {n}"));
    issuer.issue(&b, Suite::EddsaJcs2022).unwrap().into_json()
}

fn get_with(url: &str, token: Option<&str>) -> Reply {
    let mut req = agent().get(url);
    if let Some(t) = token {
        req = req.set("authorization", &format!("Bearer {t}"));
    }
    send(req, None)
}

fn send_with(method: &str, url: &str, token: &str, content_type: &str, body: &[u8]) -> Reply {
    send(
        agent()
            .request(method, url)
            .set("authorization", &format!("Bearer {token}"))
            .set("content-type", content_type),
        Some(body),
    )
}

#[test]
fn ob_api_with_and_without_scopes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = issuer_dir(tmp.path());
    let issue = token(&dir, None, &["issue"]);
    let ro = token(&dir, None, &[RO]);
    let up = token(&dir, None, &[UP]);
    let prof_ro = token(&dir, None, &["profile.readonly"]);
    let prof_up = token(
        &dir,
        None,
        &["https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"],
    );
    let server = Server::start(&dir, &[]);
    let api = format!("{}/ims/ob/v3p0", server.url);

    // Discovery is public and names the four scopes.
    let d = get(&format!("{api}/discovery"));
    assert_eq!(d.status, 200, "{}", d.text);
    let scopes = &d.json["components"]["securitySchemes"]["OAuth2ACG"]["flows"]
        ["authorizationCode"]["scopes"];
    for s in [RO, UP, "profile.readonly", "profile.update"] {
        assert!(
            scopes
                .get(format!("https://purl.imsglobal.org/spec/ob/v3p0/scope/{s}"))
                .is_some(),
            "{s}"
        );
    }

    // Scopes.
    assert_problem(&get_with(&format!("{api}/credentials"), None), 401);
    assert_problem(&get_with(&format!("{api}/credentials"), Some(&up)), 403);
    assert_problem(&get_with(&format!("{api}/credentials"), Some(&issue)), 403);
    let empty = get_with(&format!("{api}/credentials"), Some(&ro));
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json, json!({}));

    // Issued here: two JSON-LD, one VC-JWT.
    let mut issued = Vec::new();
    for suite in ["eddsa-rdfc-2022", "jwt-eddsa", "eddsa-jcs-2022"] {
        let r = post(
            &format!("{}/credentials/issue", server.url),
            Some(&issue),
            &json!({"credential": badge("did:example:maria"), "options": {"cryptosuite": suite}}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        issued.push(r.json["verifiableCredential"].clone());
    }
    // Received: a foreign badge (JSON-LD) and a VC-JWT.
    let foreign = foreign_badge(3);
    let body = serde_json::to_vec(&foreign).unwrap();
    assert_problem(
        &send_with(
            "POST",
            &format!("{api}/credentials"),
            &ro,
            "application/json",
            &body,
        ),
        403,
    );
    let r = send_with(
        "POST",
        &format!("{api}/credentials"),
        &up,
        "application/json",
        &body,
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json, foreign);
    let r = send_with(
        "POST",
        &format!("{api}/credentials"),
        &up,
        "application/json",
        &body,
    );
    assert_eq!(r.status, 200, "upsert of the same credential replaces it");
    let jwt = issued[1].as_str().unwrap().to_string();
    let r = send_with(
        "POST",
        &format!("{api}/credentials"),
        &up,
        "text/plain",
        jwt.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // Refused: a tampered credential, and something that is not a credential.
    let mut forged = foreign_badge(4);
    forged["credentialSubject"]["achievement"]["name"] = json!("Forged");
    let r = send_with(
        "POST",
        &format!("{api}/credentials"),
        &up,
        "application/json",
        &serde_json::to_vec(&forged).unwrap(),
    );
    assert_problem(&r, 400);
    assert!(r.json["errors"]
        .as_array()
        .is_some_and(|e| e.iter().any(|c| c["id"] == "proof")));
    assert_problem(
        &send_with(
            "POST",
            &format!("{api}/credentials"),
            &up,
            "text/plain",
            b"hello",
        ),
        400,
    );

    // Listing: everything, JSON-LD in credential[], JWTs in compactJwsString[].
    let all = get_with(&format!("{api}/credentials"), Some(&ro));
    assert_eq!(all.status, 200);
    let creds = all.json["credential"].as_array().unwrap().clone();
    let jws = all.json["compactJwsString"].as_array().unwrap().clone();
    assert_eq!(creds.len(), 3, "{}", all.text);
    assert_eq!(jws.len(), 2);
    assert!(creds.contains(&issued[0]) && creds.contains(&issued[2]) && creds.contains(&foreign));
    assert!(jws.iter().all(|j| j == &json!(jwt)));
    // Every credential it returns verifies.
    for vc in creds.iter().chain(jws.iter()) {
        let v = post(
            &format!("{}/credentials/verify", server.url),
            None,
            &json!({"verifiableCredential": vc}),
        );
        assert_eq!(v.status, 200, "{}", v.text);
    }

    // Paging.
    let page = |q: &str| get_with(&format!("{api}/credentials?{q}"), Some(&ro));
    let p1 = page("limit=2");
    let count = |r: &Reply| {
        r.json["credential"].as_array().map_or(0, Vec::len)
            + r.json["compactJwsString"].as_array().map_or(0, Vec::len)
    };
    assert_eq!(count(&p1), 2);
    let p3 = page("limit=2&offset=4");
    assert_eq!(count(&p3), 1);
    let p_all = page("limit=100&offset=0");
    assert_eq!(count(&p_all), 5);
    assert_eq!(count(&page("since=2999-01-01T00:00:00Z")), 0);
    assert_eq!(count(&page("since=2000-01-01T00:00:00%2B01:00")), 5);
    for bad in [
        "limit=0",
        "limit=1000",
        "limit=x",
        "offset=-1",
        "since=yesterday",
    ] {
        assert_problem(&page(bad), 400);
    }

    // Profile.
    assert_problem(&get_with(&format!("{api}/profile"), Some(&prof_ro)), 404);
    let profile = json!({"id": "did:example:maria", "type": ["Profile"], "name": "Maria Lopez", "email": "maria@example.org"});
    let pbody = serde_json::to_vec(&profile).unwrap();
    assert_problem(
        &send_with(
            "PUT",
            &format!("{api}/profile"),
            &prof_ro,
            "application/json",
            &pbody,
        ),
        403,
    );
    assert_eq!(
        send_with(
            "PUT",
            &format!("{api}/profile"),
            &prof_up,
            "application/json",
            &pbody
        )
        .status,
        201
    );
    assert_eq!(
        send_with(
            "PUT",
            &format!("{api}/profile"),
            &prof_up,
            "application/json",
            &pbody
        )
        .status,
        200
    );
    assert_problem(
        &send_with(
            "PUT",
            &format!("{api}/profile"),
            &prof_up,
            "application/json",
            b"{\"name\": 1}",
        ),
        400,
    );
    assert_problem(&get_with(&format!("{api}/profile"), Some(&prof_up)), 403);
    let got = get_with(&format!("{api}/profile"), Some(&prof_ro));
    assert_eq!(got.status, 200);
    assert_eq!(got.json, profile);

    // The CLI pulls a teacher's badges from the host: nothing lost.
    let out = openbadges(&["import", "--from", &server.url, "--token", &ro]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let imported: Vec<&Value> = rows.iter().map(|r| &r["credential"]).collect();
    for vc in &creds {
        assert!(imported.contains(&vc), "lost {vc}");
    }
    assert_eq!(
        rows.iter().filter(|r| r["original"] == json!(jwt)).count(),
        2
    );
    // A wrong token: exit 2 with the host's answer.
    let out = openbadges(&["import", "--from", &server.url, "--token", "obt_wrong"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));
}
