//! Baking: 1EdTech's baked samples extract; bake → extract round trips for PNG and SVG, JSON and
//! JWT, keep the pixels; malformed images fail with typed errors and bounded memory.

use std::io::Write;
use std::path::PathBuf;

use openbadges::bake::{self, png, svg, Baked};
use openbadges::ErrorKind;

fn fixtures() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/standards/ob/validator-fixtures/ob30"
    ));
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared not found");
        None
    }
}

/// A small RGBA test image made with the `png` crate.
fn test_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = ::png::Encoder::new(&mut out, 4, 3);
        enc.set_color(::png::ColorType::Rgba);
        let mut w = enc.write_header().unwrap();
        let data: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37)).collect();
        w.write_image_data(&data).unwrap();
    }
    out
}

fn pixels(bytes: &[u8]) -> Vec<u8> {
    let dec = ::png::Decoder::new(bytes);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let n = r.next_frame(&mut buf).unwrap().buffer_size();
    buf.truncate(n);
    buf
}

#[test]
fn onedtech_samples_extract() {
    let Some(d) = fixtures() else { return };
    let simple: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("simple.json")).unwrap()).unwrap();
    for name in ["simple-json.png", "simple-json.svg"] {
        let got = bake::extract(&std::fs::read(d.join(name)).unwrap())
            .unwrap()
            .unwrap();
        let Baked::Json(text) = got else {
            panic!("{name}: expected JSON")
        };
        let v = openbadges::json::parse(text.as_bytes()).unwrap();
        assert_eq!(
            v["credentialSubject"]["achievement"]["id"],
            simple["credentialSubject"]["achievement"]["id"],
            "{name}"
        );
    }
    for name in [
        "simple-jwt.png",
        "simple-jwt.svg",
        "simple-jwt_v1.png",
        "simple-jwt_v1.svg",
    ] {
        let got = bake::extract(&std::fs::read(d.join(name)).unwrap())
            .unwrap()
            .unwrap();
        let Baked::Jwt(jwt) = got else {
            panic!("{name}: expected a JWT")
        };
        assert_eq!(jwt.split('.').count(), 3, "{name}");
        use base64::Engine as _;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap();
        let h: serde_json::Value = serde_json::from_slice(&header).unwrap();
        assert_eq!(h["alg"], "RS256", "{name}");
    }
}

#[test]
fn png_round_trip_keeps_pixels_and_replaces() {
    let img = test_png();
    for c in [
        Baked::Json(r#"{"id":"urn:uuid:1","name":"Évaluation 协作"}"#.into()),
        Baked::Jwt("eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln".into()),
    ] {
        let baked = bake::bake(&img, &c).unwrap();
        assert_eq!(bake::extract(&baked).unwrap(), Some(c.clone()));
        assert_eq!(pixels(&baked), pixels(&img));
        let again = bake::bake(&baked, &Baked::Json("{\"id\":\"urn:uuid:2\"}".into())).unwrap();
        assert_eq!(
            bake::extract(&again).unwrap(),
            Some(Baked::Json("{\"id\":\"urn:uuid:2\"}".into()))
        );
        assert_eq!(
            again
                .windows(19)
                .filter(|w| w == b"openbadgecredential")
                .count(),
            1
        );
    }
    assert_eq!(bake::extract(&img).unwrap(), None);
}

#[test]
fn svg_round_trip_and_replace() {
    let img = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="red"/></svg>"#;
    for c in [
        Baked::Json(r#"{"id":"urn:uuid:1","name":"a < b & c"}"#.into()),
        Baked::Jwt("eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln".into()),
    ] {
        let baked = svg::bake(img, &c).unwrap();
        assert_eq!(
            svg::extract(baked.as_bytes()).unwrap(),
            Some(c.clone()),
            "{baked}"
        );
        assert!(baked.contains(r#"<rect width="4" height="4" fill="red"/>"#));
        let again = svg::bake(&baked, &Baked::Jwt("a.b.c".into())).unwrap();
        assert_eq!(again.matches("openbadges:credential").count(), 1, "{again}");
        assert_eq!(
            svg::extract(again.as_bytes()).unwrap(),
            Some(Baked::Jwt("a.b.c".into()))
        );
    }
    assert_eq!(svg::extract(img.as_bytes()).unwrap(), None);
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    c.extend_from_slice(&h.finalize().to_be_bytes());
    c
}

fn with_chunk_before_iend(img: &[u8], extra: &[u8]) -> Vec<u8> {
    let iend = img.len() - 12;
    let mut out = img[..iend].to_vec();
    out.extend_from_slice(extra);
    out.extend_from_slice(&img[iend..]);
    out
}

#[test]
fn malformed_png_errors() {
    let img = test_png();
    let baked = bake::bake(&img, &Baked::Json("{}".into())).unwrap();
    // bad CRC
    let mut bad = baked.clone();
    let n = bad.len();
    bad[n - 14] ^= 0xff;
    assert!(png::extract(&bad).unwrap_err().to_string().contains("CRC"));
    // chunk length past the end of the file
    let mut bad = img.clone();
    bad[8..12].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    assert!(png::extract(&bad)
        .unwrap_err()
        .to_string()
        .contains("past the end"));
    // two credential chunks
    let mut data = b"openbadgecredential\0\0\0\0\0{}".to_vec();
    let two = with_chunk_before_iend(&baked, &chunk(b"iTXt", &data));
    assert!(png::extract(&two).unwrap_err().to_string().contains("two"));
    // compressed iTXt bomb: 64 MiB of zeros deflated, over the 4 MiB cap
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        z.write_all(&zeros).unwrap();
    }
    data = b"openbadgecredential\0\x01\0\0\0".to_vec();
    data.extend_from_slice(&z.finish().unwrap());
    let bomb = with_chunk_before_iend(&img, &chunk(b"iTXt", &data));
    assert_eq!(png::extract(&bomb).unwrap_err().kind(), ErrorKind::Limit);
    // truncated, not a PNG
    assert!(png::extract(&img[..img.len() - 5]).is_err());
    assert!(bake::extract(b"GIF89a....").is_err());
}

#[test]
fn hostile_svg_errors() {
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#;
    assert!(svg::extract(doctype.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("DOCTYPE"));
    let xxe = r#"<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>"#;
    assert!(svg::extract(xxe.as_bytes()).is_err());
    assert!(svg::extract(b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>").is_err());
    // an element named credential in another namespace is not a credential
    let other = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="https://example.org/ns"><o:credential verify="a.b.c"/></svg>"#;
    assert_eq!(svg::extract(other.as_bytes()).unwrap(), None);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let _ = png::extract(&b);
        let _ = svg::extract(&b);
        let mut p = png::SIGNATURE.to_vec();
        p.extend_from_slice(&b);
        let _ = png::extract(&p);
    }
}

/// Found by `cargo fuzz run import`: two byte order marks before the root made the SVG reader
/// slice inside a character (a panic). A document with one BOM bakes and extracts like any other.
#[test]
fn svg_with_byte_order_marks() {
    let crash = b"\xef\xbb\xbf\xef\xbb\xbf\n <svg  <\x00\x00\x00 [ \x00>rAe<<r/>s\x00";
    assert!(svg::extract(crash).is_err());
    assert!(openbadges::import::import(crash).is_err());
    let img = "\u{feff}<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><rect width=\"4\" height=\"4\"/></svg>";
    let c = Baked::Json(r#"{"id":"urn:uuid:1"}"#.into());
    let baked = svg::bake(img, &c).unwrap();
    assert!(baked.starts_with('\u{feff}'));
    assert_eq!(
        svg::extract(baked.as_bytes()).unwrap(),
        Some(c.clone()),
        "{baked}"
    );
    let again = svg::bake(&baked, &Baked::Jwt("a.b.c".into())).unwrap();
    assert_eq!(again.matches("openbadges:credential").count(), 1, "{again}");
    assert_eq!(
        svg::extract(again.as_bytes()).unwrap(),
        Some(Baked::Jwt("a.b.c".into()))
    );
}
