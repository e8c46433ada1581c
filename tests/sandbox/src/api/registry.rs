//! The API's write semantics over the store, as the API server's generic registry and its
//! admission plugins apply them: objects only in namespaces that exist, validation (422),
//! resourceVersion preconditions (409), status kept apart from spec, graceful pod deletion,
//! delete preconditions, and the finalizers a propagation policy hands to the garbage
//! collector. Handlers and the sandbox's controllers both write through here when they act
//! as an API client would.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::resources::Resource;
use super::validate;
use crate::cluster::Cluster;
use crate::kubelet;
use crate::selector::{FieldSelector, LabelSelector};
use crate::status::{self, ApiError};

pub const ORPHAN: &str = "orphan";
pub const FOREGROUND: &str = "foregroundDeletion";

/// Namespaces the cluster itself needs; they may not be deleted.
const IMMORTAL_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

fn invalid(res: &Resource, name: &str, errs: &[status::FieldError]) -> ApiError {
    ApiError::invalid(res.kind, res.group, name, errs)
}

fn wake(c: &Cluster) {
    c.reconcile.notify_one();
    c.gc.notify_one();
}

/// The namespace an object is written into must exist and not be terminating (the
/// NamespaceLifecycle admission plugin).
fn namespace_accepts(c: &Cluster, res: &Resource, ns: &str, name: &str) -> Result<(), ApiError> {
    if !res.namespaced {
        return Ok(());
    }
    let Some(namespace) = c.store.get_shared("namespaces", "", ns) else {
        return Err(ApiError::not_found("namespaces", ns));
    };
    if !namespace["metadata"]["deletionTimestamp"].is_null() {
        return Err(ApiError::forbidden(
            res.plural,
            res.group,
            name,
            &format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        ));
    }
    Ok(())
}

/// What a create fills in before validation: kind, the server's metadata, and the status a
/// new object of the kind starts with.
fn prepare_create(res: &Resource, ns: &str, obj: &mut Value) -> Result<(), ApiError> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(format!(
            "Object '{}' is missing in the request body",
            res.kind
        )));
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    let meta = &mut obj["metadata"];
    if res.namespaced {
        match meta["namespace"].as_str() {
            Some(n) if !n.is_empty() && n != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => meta["namespace"] = json!(ns),
        }
    } else if let Some(m) = meta.as_object_mut() {
        m.remove("namespace");
    }
    if meta["resourceVersion"]
        .as_str()
        .is_some_and(|v| !v.is_empty())
    {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    if let Some(m) = meta.as_object_mut() {
        for server_owned in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
            "selfLink",
        ] {
            m.remove(server_owned);
        }
    }
    let generate = meta["generateName"].as_str().unwrap_or("").to_string();
    if meta["name"].as_str().unwrap_or("").is_empty() && !generate.is_empty() {
        meta["name"] = json!(format!("{generate}{}", random_suffix()));
    }
    obj["kind"] = json!(res.kind);
    obj["apiVersion"] = json!(res.api_version());
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    match res.plural {
        "pods" => {
            obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        "statefulsets" => {
            obj["metadata"]["generation"] = json!(1);
            obj["status"] = json!({"replicas": 0, "availableReplicas": 0});
        }
        "persistentvolumeclaims" => obj["status"] = json!({"phase": "Pending"}),
        // A custom resource with a status subresource: generation 1, status only through it.
        "certificates" => {
            obj["metadata"]["generation"] = json!(1);
            if let Some(o) = obj.as_object_mut() {
                o.remove("status");
            }
        }
        "namespaces" => {
            obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!(name);
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        _ => {}
    }
    Ok(())
}

fn random_suffix() -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect()
}

/// Creates an object as `POST` does.
pub fn create(
    c: &Arc<Cluster>,
    res: &'static Resource,
    ns: &str,
    mut obj: Value,
    dry_run: bool,
) -> Result<Value, ApiError> {
    prepare_create(res, ns, &mut obj)?;
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    namespace_accepts(c, res, ns, &name)?;
    let errs = validate::validate(res, &obj, None);
    if !errs.is_empty() {
        return Err(invalid(res, &name, &errs));
    }
    if dry_run {
        if c.store.get_shared(res.plural, ns, &name).is_some() {
            return Err(ApiError::already_exists(res.plural, &name));
        }
        return Ok(obj);
    }
    let created = c.store.create(res.plural, ns, obj)?;
    if res.plural == "namespaces" {
        populate_namespace(c, &name);
    }
    wake(c);
    Ok(created)
}

/// What the cluster's controllers put in every namespace: the `default` service account and
/// the `kube-root-ca.crt` ConfigMap holding the API server's CA.
pub fn populate_namespace(c: &Cluster, ns: &str) {
    let ca = c.cfg.api_ca_pem.clone();
    for (plural, obj) in [
        (
            "serviceaccounts",
            crate::objects::default_service_account(ns),
        ),
        ("configmaps", crate::objects::root_ca_config_map(ns, &ca)),
    ] {
        // Already there (a restart, a namespace re-seeded) is as good as created.
        let _ = c.store.create(plural, ns, obj);
    }
}

/// Where a write lands: the object itself, or one of its subresources.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Part {
    Main,
    Status,
    Scale,
}

/// Applies the API server's rules to an update of `old` into `new`: the precondition on the
/// resourceVersion the client sent, what each part may change, and validation.
fn prepare_update(
    res: &Resource,
    part: Part,
    old: &Value,
    new: &mut Value,
) -> Result<(), ApiError> {
    let name = old["metadata"]["name"].as_str().unwrap_or("").to_string();
    let sent_rv = new["metadata"]["resourceVersion"].as_str().unwrap_or("");
    if !sent_rv.is_empty() && Some(sent_rv) != old["metadata"]["resourceVersion"].as_str() {
        return Err(ApiError::conflict(res.plural, &name));
    }
    match new["metadata"]["name"].as_str() {
        Some(n) if !n.is_empty() && n != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        _ => {}
    }
    if part == Part::Status {
        // A status write changes the status and nothing else.
        let status = new["status"].take();
        *new = old.clone();
        new["status"] = status;
    } else if res.has_subresource("status") && part == Part::Main {
        new["status"] = old["status"].clone();
    }
    if !new["metadata"].is_object() {
        new["metadata"] = json!({});
    }
    for field in [
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "generation",
        "uid",
        "creationTimestamp",
    ] {
        match old["metadata"].get(field) {
            Some(v) => new["metadata"][field] = v.clone(),
            None => {
                if let Some(m) = new["metadata"].as_object_mut() {
                    m.remove(field);
                }
            }
        }
    }
    if let Some(g) = old["metadata"]["generation"].as_i64()
        && new["spec"] != old["spec"]
    {
        new["metadata"]["generation"] = json!(g + 1);
    }
    if res.namespaced {
        new["metadata"]["namespace"] = old["metadata"]["namespace"].clone();
    }
    new["kind"] = json!(res.kind);
    new["apiVersion"] = json!(res.api_version());
    let errs = validate::validate(res, new, Some(old));
    if !errs.is_empty() {
        return Err(invalid(res, &name, &errs));
    }
    Ok(())
}

/// Updates an object as `PUT` and `PATCH` do: `change` edits the current object (replacing
/// it, or applying a patch); a resourceVersion it leaves in the object must be current.
pub fn update(
    c: &Arc<Cluster>,
    res: &'static Resource,
    ns: &str,
    name: &str,
    part: Part,
    dry_run: bool,
    change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    let claims = res.plural == "persistentvolumeclaims";
    let expandable = if claims {
        crate::pvc_resize::expandable_classes(c)
    } else {
        Vec::new()
    };
    let apply = |cur: &mut Value| -> Result<(), ApiError> {
        let old = cur.clone();
        change(cur)?;
        prepare_update(res, part, &old, cur)?;
        if claims {
            crate::pvc_resize::admit(&expandable, &old, cur)?;
        }
        Ok(())
    };
    if dry_run {
        let mut obj = c
            .store
            .get(res.plural, ns, name)
            .ok_or_else(|| ApiError::not_found(res.plural, name))?;
        apply(&mut obj)?;
        return Ok(obj);
    }
    let updated = c.store.update(res.plural, ns, name, apply)?;
    wake(c);
    Ok(updated)
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// `DeleteOptions`, from the body or the query.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub grace: Option<u64>,
    pub propagation: Option<Propagation>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
}

impl DeleteOptions {
    pub fn parse(body: &Value, query: &super::request::Query) -> Result<DeleteOptions, ApiError> {
        let grace = body["gracePeriodSeconds"]
            .as_i64()
            .or_else(|| query.get("gracePeriodSeconds").and_then(|g| g.parse().ok()));
        let policy = body["propagationPolicy"]
            .as_str()
            .or(query.get("propagationPolicy"));
        let orphan = body["orphanDependents"]
            .as_bool()
            .or_else(|| query.get("orphanDependents").map(|v| v == "true"));
        let propagation = match (policy, orphan) {
            (Some(_), Some(_)) => {
                return Err(invalid_options(
                    "propagationPolicy",
                    json!(policy),
                    "orphanDependents and deletionPropagation cannot be both set",
                ));
            }
            (Some("Background"), _) => Some(Propagation::Background),
            (Some("Foreground"), _) => Some(Propagation::Foreground),
            (Some("Orphan"), _) => Some(Propagation::Orphan),
            (Some(other), _) => {
                return Err(invalid_options(
                    "propagationPolicy",
                    json!(other),
                    "propagationPolicy must be Foreground, Background, or Orphan",
                ));
            }
            (None, Some(true)) => Some(Propagation::Orphan),
            (None, Some(false)) => Some(Propagation::Background),
            (None, None) => None,
        };
        if let Some(g) = grace
            && g < 0
        {
            return Err(invalid_options(
                "gracePeriodSeconds",
                json!(g),
                "must be greater than or equal to 0",
            ));
        }
        let pre = &body["preconditions"];
        Ok(DeleteOptions {
            grace: grace.map(|g| g as u64),
            propagation,
            uid: pre["uid"].as_str().map(str::to_string),
            resource_version: pre["resourceVersion"].as_str().map(str::to_string),
        })
    }

    fn check(&self, res: &Resource, obj: &Value) -> Result<(), ApiError> {
        let name = obj["metadata"]["name"].as_str().unwrap_or("");
        let uid = obj["metadata"]["uid"].as_str().unwrap_or("");
        let rv = obj["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if let Some(want) = &self.uid
            && want != uid
        {
            return Err(ApiError::conflict_because(
                res.plural,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {want}, UID in object meta: {uid}"
                ),
            ));
        }
        if let Some(want) = &self.resource_version
            && want != rv
        {
            return Err(ApiError::conflict_because(
                res.plural,
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {want}, ResourceVersion in object meta: {rv}"
                ),
            ));
        }
        Ok(())
    }
}

fn invalid_options(field: &str, value: Value, detail: &str) -> ApiError {
    ApiError::invalid(
        "DeleteOptions",
        "",
        "",
        &[status::FieldError::invalid(field, value, detail)],
    )
}

/// Sets the finalizers a propagation policy asks the garbage collector to run.
fn propagate(obj: &mut Value, policy: Option<Propagation>) {
    let Some(policy) = policy else { return };
    let mut fins: Vec<String> = obj["metadata"]["finalizers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    fins.retain(|f| f != ORPHAN && f != FOREGROUND);
    match policy {
        Propagation::Orphan => fins.push(ORPHAN.into()),
        Propagation::Foreground => fins.push(FOREGROUND.into()),
        Propagation::Background => {}
    }
    if fins.is_empty() {
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("finalizers");
        }
    } else {
        obj["metadata"]["finalizers"] = json!(fins);
    }
}

/// The result of a delete: the object is gone, or still there (terminating: graceful, or
/// waiting for its finalizers).
#[derive(Debug)]
pub enum Deleted {
    Gone(Value),
    Pending(Value),
}

impl Deleted {
    pub fn object(&self) -> &Value {
        match self {
            Deleted::Gone(v) | Deleted::Pending(v) => v,
        }
    }
}

/// A pod the kubelet runs is deleted gracefully: marked, its container stopped, and the
/// object removed once the process is gone.
fn graceful_pod(
    c: &Arc<Cluster>,
    ns: &str,
    name: &str,
    obj: &Value,
    opts: &DeleteOptions,
) -> Option<u64> {
    let grace = opts
        .grace
        .or_else(|| obj["spec"]["terminationGracePeriodSeconds"].as_u64())
        .unwrap_or(30);
    let running = c.kubelet.get(&kubelet::run_key(c, ns, name)).is_some();
    (running && !obj["spec"]["nodeName"].is_null()).then_some(grace)
}

pub fn delete(
    c: &Arc<Cluster>,
    res: &'static Resource,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
    dry_run: bool,
) -> Result<Deleted, ApiError> {
    let current = c
        .store
        .get(res.plural, ns, name)
        .ok_or_else(|| ApiError::not_found(res.plural, name))?;
    if res.plural == "namespaces" && IMMORTAL_NAMESPACES.contains(&name) {
        return Err(ApiError::forbidden(
            res.plural,
            res.group,
            name,
            "this namespace may not be deleted",
        ));
    }
    if dry_run {
        opts.check(res, &current)?;
        return Ok(Deleted::Pending(current));
    }
    let graceful = match res.plural {
        "pods" => graceful_pod(c, ns, name, &current, opts).filter(|g| *g > 0),
        _ => None,
    };
    let result = if let Some(grace) = graceful {
        let marked = c.store.update(res.plural, ns, name, |p| {
            opts.check(res, p)?;
            propagate(p, opts.propagation);
            if p["metadata"]["deletionTimestamp"].is_null() {
                let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(grace as i64);
                p["metadata"]["deletionTimestamp"] =
                    json!(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
                p["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            }
            Ok(())
        })?;
        kubelet::terminate_in(c, ns, name, Duration::from_secs(grace));
        Deleted::Pending(marked)
    } else {
        let namespace = res.plural == "namespaces";
        let out = c.store.delete_with(res.plural, ns, name, |o| {
            opts.check(res, o)?;
            propagate(o, opts.propagation);
            if namespace {
                o["status"]["phase"] = json!("Terminating");
            }
            Ok(())
        })?;
        if res.plural == "pods" {
            // A force delete still stops the container.
            kubelet::terminate_in(c, ns, name, Duration::ZERO);
        }
        if c.store.get_shared(res.plural, ns, name).is_some() {
            Deleted::Pending(out)
        } else {
            Deleted::Gone(out)
        }
    };
    wake(c);
    Ok(result)
}

/// `DELETE` on a collection: every object matching the selectors, deleted as one `DELETE`
/// each would. Returns what each delete returned.
pub fn delete_collection(
    c: &Arc<Cluster>,
    res: &'static Resource,
    ns: Option<&str>,
    labels: &LabelSelector,
    fields: &FieldSelector,
    opts: &DeleteOptions,
    dry_run: bool,
) -> Result<Vec<Value>, ApiError> {
    let (items, _) = c.store.list(res.plural, ns, |o| {
        labels.matches(o["metadata"].get("labels")) && fields.matches(o)
    });
    let mut out = Vec::new();
    for item in items {
        let item_ns = item["metadata"]["namespace"].as_str().unwrap_or("");
        let name = item["metadata"]["name"].as_str().unwrap_or("");
        match delete(c, res, item_ns, name, opts, dry_run) {
            Ok(d) => out.push(d.object().clone()),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The answer to a DELETE: the object while it is terminating (and for pods, always);
/// otherwise the Status the API server returns for a deleted object.
pub fn delete_response(res: &Resource, d: &Deleted) -> Value {
    match d {
        Deleted::Gone(obj) if res.plural != "pods" => {
            let mut s = status::success();
            s["details"] = json!({"name": obj["metadata"]["name"], "kind": res.plural,
                                  "uid": obj["metadata"]["uid"]});
            if !res.group.is_empty() {
                s["details"]["group"] = json!(res.group);
            }
            s
        }
        other => other.object().clone(),
    }
}
