//! Dereferencing verification methods through the resolution hook: did:key offline, did:web and
//! https controller documents (an issuer Profile or DID document listing its keys) through
//! [`Resolver`]. Checks that the document is the one asked for (its `id`), that the method's
//! controller is that document, and that the method is authorized for the proof's purpose.

use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::keys::{DidKeyResolver, KeyResolver, VerificationMethod};
use crate::resolve::{did_web_url, fetch_json, strip_fragment, Resolver, ResourceKind};

/// A [`KeyResolver`] for did:key, did:web and https verification methods.
#[derive(Clone)]
pub struct ControllerResolver {
    resolver: Arc<dyn Resolver>,
}

impl std::fmt::Debug for ControllerResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerResolver").finish_non_exhaustive()
    }
}

impl ControllerResolver {
    /// Resolves remote controller documents through `resolver`.
    pub fn new(resolver: Arc<dyn Resolver>) -> Self {
        ControllerResolver { resolver }
    }
}

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    }
}

/// Finds `vm_id` in a controller document and checks its controller and purpose.
pub(crate) fn method_from_document(
    doc: &Value,
    controller_id: &str,
    vm_id: &str,
    purpose: &str,
) -> Result<VerificationMethod> {
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or("");
    if doc_id != controller_id {
        return Err(Error::new(
            ErrorKind::Key,
            format!(
                "the document fetched for `{controller_id}` has id `{doc_id}`; it must be the same"
            ),
        ));
    }
    let matches_id = |v: &&Value| {
        v.get("id").and_then(Value::as_str).is_some_and(|id| {
            id == vm_id || (id.starts_with('#') && format!("{doc_id}{id}") == vm_id)
        })
    };
    let listed = as_list(doc.get("verificationMethod"))
        .into_iter()
        .chain(
            as_list(doc.get(purpose))
                .into_iter()
                .filter(|v| v.is_object()),
        )
        .find(matches_id)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Key,
                format!("`{controller_id}` does not list the verification method `{vm_id}`"),
            )
        })?;
    let authorized = as_list(doc.get(purpose)).into_iter().any(|v| match v {
        Value::String(s) => s == vm_id || (s.starts_with('#') && format!("{doc_id}{s}") == vm_id),
        obj => matches_id(&obj),
    });
    if !authorized {
        return Err(Error::new(
            ErrorKind::Key,
            format!("`{vm_id}` is not listed under `{purpose}` of `{controller_id}` (a key only under another relationship cannot sign this)"),
        ));
    }
    let mut vm = VerificationMethod::from_json(listed)?;
    if vm.id.starts_with('#') {
        vm.id = format!("{doc_id}{}", vm.id);
    }
    if vm.controller != controller_id {
        return Err(Error::new(
            ErrorKind::Key,
            format!(
                "the verification method's controller is `{}`, not `{controller_id}`",
                vm.controller
            ),
        ));
    }
    Ok(vm)
}

impl KeyResolver for ControllerResolver {
    fn resolve(&self, vm_id: &str, purpose: &str) -> Result<VerificationMethod> {
        if vm_id.starts_with("did:key:") {
            return DidKeyResolver.resolve(vm_id, purpose);
        }
        let controller = strip_fragment(vm_id);
        if controller.starts_with("did:web:") {
            let url = did_web_url(controller)?;
            let doc = fetch_json(&*self.resolver, &url, ResourceKind::DidDocument)?;
            return method_from_document(&doc, controller, vm_id, purpose);
        }
        if controller.starts_with("https://") || controller.starts_with("http://") {
            let doc = fetch_json(
                &*self.resolver,
                controller,
                ResourceKind::VerificationMethod,
            )?;
            // The URL may serve the verification method itself (no fragment) or its controller.
            if doc.get("id").and_then(Value::as_str) == Some(vm_id)
                && doc.get("controller").is_some()
            {
                let vm = VerificationMethod::from_json(&doc)?;
                let cdoc = fetch_json(
                    &*self.resolver,
                    strip_fragment(&vm.controller),
                    ResourceKind::VerificationMethod,
                )?;
                return method_from_document(&cdoc, &vm.controller, vm_id, purpose);
            }
            return method_from_document(&doc, controller, vm_id, purpose);
        }
        if controller.starts_with("did:") {
            return Err(Error::new(
                ErrorKind::Key,
                format!("unsupported DID method in `{vm_id}` (supported: did:key, did:web)"),
            ));
        }
        Err(Error::new(
            ErrorKind::Key,
            format!("`{vm_id}` is not a DID or an https URL, so it cannot be dereferenced"),
        ))
    }
}
