//! Baking: a credential carried inside its badge image (OB 3.0 §Baking). PNG: one `iTXt` chunk
//! with keyword `openbadgecredential`; SVG: an `<openbadges:credential>` element in the
//! `https://purl.imsglobal.org/ob/v3p0` namespace. The credential text is kept exactly as baked.
//!
//! The PNG and SVG codecs need the `bake` feature (on in the CLI build); without it, detection
//! still names the image and [`bake()`] / [`extract`] answer with a `Usage` error saying so.
//!
//! # Example
//! ```
//! # #[cfg(feature = "bake")] {
//! use openbadges::bake::{self, Baked};
//! let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
//! let credential = Baked::Json(r#"{"id": "urn:uuid:1"}"#.to_string());
//! let baked = bake::bake(svg, &credential)?;
//! assert_eq!(bake::extract(&baked)?, Some(credential));
//! # }
//! # Ok::<(), openbadges::Error>(())
//! ```

#[cfg(feature = "bake")]
pub mod png;
#[cfg(feature = "bake")]
pub mod svg;

use crate::error::{Error, ErrorKind, Result};

/// The eight bytes every PNG starts with.
pub const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Largest image accepted: 16 MiB.
pub const MAX_IMAGE_BYTES: usize = 16 * 1024 * 1024;
/// Largest credential text accepted inside an image (also the inflation cap): 4 MiB.
pub const MAX_CREDENTIAL_BYTES: usize = 4 * 1024 * 1024;

/// A credential as baked: JSON text or a compact JWS, exactly as found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Baked {
    /// A JSON-LD credential (text as baked).
    Json(String),
    /// A compact JWS (VC-JWT).
    Jwt(String),
    /// An Open Badges 2.0 assertion or its URL (PNG keyword `openbadges`), read-only.
    Ob2(String),
}

impl Baked {
    /// The text as baked.
    pub fn text(&self) -> &str {
        match self {
            Baked::Json(s) | Baked::Jwt(s) | Baked::Ob2(s) => s,
        }
    }

    /// JSON if the text starts with `{`, else a JWT.
    pub fn from_text(text: String) -> Self {
        if text.trim_start().starts_with('{') {
            Baked::Json(text)
        } else {
            Baked::Jwt(text.trim().to_string())
        }
    }
}

/// The kind of image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageKind {
    /// PNG (by signature).
    Png,
    /// SVG (XML with an `<svg` element).
    Svg,
    /// Neither.
    Unknown,
}

/// Detects PNG by its signature and SVG by XML sniffing.
pub fn detect(bytes: &[u8]) -> ImageKind {
    if bytes.starts_with(PNG_SIGNATURE) {
        return ImageKind::Png;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if (t.starts_with('<')) && text.contains("<svg") {
        ImageKind::Svg
    } else {
        ImageKind::Unknown
    }
}

/// Bakes `credential` into a PNG or SVG image.
pub fn bake(image: &[u8], credential: &Baked) -> Result<Vec<u8>> {
    if image.len() > MAX_IMAGE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("image is larger than {MAX_IMAGE_BYTES} bytes"),
        ));
    }
    match detect(image) {
        #[cfg(feature = "bake")]
        ImageKind::Png => png::bake(image, credential),
        #[cfg(feature = "bake")]
        ImageKind::Svg => {
            let text = std::str::from_utf8(image)
                .map_err(|_| Error::new(ErrorKind::Model, "the SVG is not UTF-8"))?;
            svg::bake(text, credential).map(String::into_bytes)
        }
        #[cfg(not(feature = "bake"))]
        ImageKind::Png | ImageKind::Svg => {
            let _ = credential;
            Err(not_built())
        }
        ImageKind::Unknown => Err(Error::new(ErrorKind::Usage, "not a PNG or SVG image")),
    }
}

/// Extracts the baked credential, if any (`Ok(None)`: a valid image without one).
pub fn extract(image: &[u8]) -> Result<Option<Baked>> {
    if image.len() > MAX_IMAGE_BYTES {
        return Err(Error::new(
            ErrorKind::Limit,
            format!("image is larger than {MAX_IMAGE_BYTES} bytes"),
        ));
    }
    match detect(image) {
        #[cfg(feature = "bake")]
        ImageKind::Png => png::extract(image),
        #[cfg(feature = "bake")]
        ImageKind::Svg => svg::extract(image),
        #[cfg(not(feature = "bake"))]
        ImageKind::Png | ImageKind::Svg => Err(not_built()),
        ImageKind::Unknown => Err(Error::new(ErrorKind::Usage, "not a PNG or SVG image")),
    }
}

#[cfg(not(feature = "bake"))]
fn not_built() -> Error {
    Error::new(
        ErrorKind::Usage,
        "baked PNG/SVG images need the `bake` feature, which this build of openbadges was compiled without",
    )
}
