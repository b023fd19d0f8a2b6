//! What the function learns of the org once per container and the client holds: for the phone search,
//! which phone fields Contact and Account have for the run-as user and whether the org has person
//! accounts (from the describes, `describe.rs`); for contact-record batches, the closed Task status and
//! whether the org has VoiceCall (from the batch's first read, `legs.rs`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// How long a describe the org refused is not asked again. An admin who grants the run-as user Read on
/// the object sees it searched within this time, without a redeploy; an org that means to keep the object
/// unreadable pays one describe request per container every 5 minutes (at most 288 a day, against the
/// org's daily API request limit), on one leg, which waits one round trip more.
pub const REFUSED_DESCRIBE_PAUSE: Duration = Duration::from_secs(300);

/// What the org's describes tell the phone search, learned once per container: the phone fields of
/// Contact and Account the run-as user can read (custom ones included), and whether the org has person
/// accounts. An object whose describe is refused (no Read on Account, say) is not searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgShape {
    /// Contact's phone fields; empty: Contact is not searched.
    pub contact_phones: Vec<String>,
    /// Account's phone fields (`Phone`, `Fax`, the `Person…Phone` fields, custom ones); empty: Account is
    /// not searched.
    pub account_phones: Vec<String>,
    /// Whether Account has `IsPersonAccount` and `PersonContactId`: only then are they named.
    pub person_accounts: bool,
}

impl OrgShape {
    /// Every org's standard phone fields, without person accounts (for tests and fuzzing of the query).
    pub fn standard() -> Self {
        let fields = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect();
        Self {
            contact_phones: fields(&["Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax"]),
            account_phones: fields(&["Phone", "Fax"]),
            person_accounts: false,
        }
    }

    /// The shape two describes give; `None` for an object whose describe the org refused.
    pub(super) fn from_describes(contact: Option<&PhoneFields>, account: Option<&PhoneFields>) -> Self {
        Self {
            contact_phones: contact.map(|c| c.phones.clone()).unwrap_or_default(),
            account_phones: account.map(|a| a.phones.clone()).unwrap_or_default(),
            person_accounts: account.is_some_and(|a| a.person_accounts),
        }
    }
}

/// What the phone search takes from one object's describe: the names of its phone-type fields and
/// whether it has `IsPersonAccount` and `PersonContactId` (read by `describe.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PhoneFields {
    pub(super) phones: Vec<String>,
    pub(super) person_accounts: bool,
}

/// The org's shape as last learned: each object's phone fields, `None` for an object whose describe the
/// org refused, and when that refusal came.
#[derive(Debug, Clone)]
pub(super) struct Learned {
    pub(super) contact: Option<PhoneFields>,
    pub(super) account: Option<PhoneFields>,
    pub(super) shape: Arc<OrgShape>,
    refused_at: Option<Instant>,
}

impl Learned {
    pub(super) fn new(contact: Option<PhoneFields>, account: Option<PhoneFields>) -> Self {
        let refused_at = (contact.is_none() || account.is_none()).then(Instant::now);
        let shape = Arc::new(OrgShape::from_describes(contact.as_ref(), account.as_ref()));
        Self { contact, account, shape, refused_at }
    }

    /// Kept as it is, with a refusal's pause started again (after a describe that could not be asked).
    pub(super) fn paused_again(mut self) -> Self {
        self.refused_at = self.refused_at.map(|_| Instant::now());
        self
    }

    /// Whether a refused describe is due to be asked again.
    fn due(&self) -> bool {
        self.refused_at.is_some_and(|at| at.elapsed() >= REFUSED_DESCRIBE_PAUSE)
    }

    /// Whether any describe was refused.
    pub(super) fn refused(&self) -> bool {
        self.refused_at.is_some()
    }
}

/// The org's shape for the container: learned once, with a refused describe asked again after
/// [`REFUSED_DESCRIBE_PAUSE`].
#[derive(Debug, Default)]
pub(super) struct ShapeCache {
    learned: Mutex<Option<Learned>>,
    /// One learning at a time: legs that find the shape missing wait for the describes under way.
    pub(super) learning: tokio::sync::Mutex<()>,
}

impl ShapeCache {
    /// The shape, unless it is unknown, or a refused describe is due again (or `recheck` asks for it now).
    pub(super) fn current(&self, recheck: bool) -> Option<Arc<OrgShape>> {
        let learned = self.learned.lock().unwrap_or_else(|p| p.into_inner());
        learned.as_ref().filter(|l| !(l.due() || recheck && l.refused())).map(|l| l.shape.clone())
    }

    /// What was learned last, refusals included.
    pub(super) fn learned(&self) -> Option<Learned> {
        self.learned.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(super) fn keep(&self, learned: Learned) -> Arc<OrgShape> {
        let shape = learned.shape.clone();
        *self.learned.lock().unwrap_or_else(|p| p.into_inner()) = Some(learned);
        shape
    }
}

/// What contact-record batches learn of the org once per container: the closed Task status new Tasks
/// get, and whether the org has Salesforce Voice's `VoiceCall`.
#[derive(Debug, Default)]
pub(super) struct LegCache {
    pub(super) closed_status: std::sync::OnceLock<String>,
    /// Whether the org has `VoiceCall`, once a query said.
    pub(super) voice_calls: std::sync::OnceLock<bool>,
}
