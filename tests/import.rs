//! `import`: every form a wallet receives — JSON-LD, JWT, baked PNG/SVG, presentation, CLR,
//! OB 2.0 — is found and tagged with where it came from.

use std::path::PathBuf;

use openbadges::import::{import, Format};

fn dir() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/standards"));
    p.exists().then_some(p).or_else(|| {
        eprintln!("skipping: ../shared not found");
        None
    })
}

#[test]
fn every_form() {
    let Some(d) = dir() else { return };
    let ob = d.join("ob/validator-fixtures/ob30");
    let one = |p: PathBuf| import(&std::fs::read(p).unwrap()).unwrap();
    let r = one(ob.join("simple.json"));
    assert_eq!(
        (r.len(), r[0].format, r[0].verifiable),
        (1, Format::JsonLd, true)
    );
    let r = one(ob.join("simple.jwt"));
    assert_eq!(r[0].format, Format::Jwt);
    assert!(
        r[0].credential["type"]
            .to_string()
            .contains("OpenBadgeCredential"),
        "{:?}",
        r[0].credential
    );
    for img in [
        "simple-json.png",
        "simple-json.svg",
        "simple-jwt.png",
        "simple-jwt.svg",
        "simple-jwt_v1.png",
    ] {
        let r = one(ob.join(img));
        assert_eq!(r.len(), 1, "{img}");
        assert!(
            r[0].source.contains("png") || r[0].source.contains("svg"),
            "{img}: {}",
            r[0].source
        );
    }
    // A CLR with its nested credentials.
    let clr = one(d.join("clr/validator-fixtures/clr20/complex.json"));
    assert!(clr.len() > 1, "CLR nested credentials: {}", clr.len());
    assert!(clr[1].source.contains("CLR"));
}

#[test]
fn ob2_assertions_are_converted_and_marked() {
    let ob2 = serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://d.example/a/1",
        "recipient": {"type": "email", "hashed": true, "salt": "s", "identity": "sha256$abc"},
        "issuedOn": "2019-05-01T00:00:00Z", "verification": {"type": "hosted"},
        "badge": {"id": "https://d.example/b/1", "type": "BadgeClass", "name": "Old Badge", "description": "d",
                  "criteria": "https://d.example/c", "image": "https://d.example/i.png",
                  "issuer": {"id": "https://d.example/issuer", "type": "Profile", "name": "District"}}
    });
    let r = import(ob2.to_string().as_bytes()).unwrap();
    assert_eq!((r[0].format, r[0].verifiable), (Format::Ob2, false));
    let c =
        openbadges::credential::OpenBadgeCredential::from_value(r[0].credential.clone()).unwrap();
    assert_eq!(
        c.credential_subject.achievement.name.text(),
        Some("Old Badge")
    );
    assert!(import(b"{\"hello\": 1}").is_err());
    assert!(import(b"\xff\xfe").is_err());
}
