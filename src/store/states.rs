//! Run and change states as in ARCHITECTURE.md "Run lifecycle", stored as snake_case
//! text. The legal run transitions live in one place: [`RunState::can_go_to`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a run is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Queued,
    Running,
    AwaitingReview,
    Applying,
    Applied,
    Completed,
    Failed,
    Cancelled,
}

impl RunState {
    pub const ALL: [RunState; 8] = [
        RunState::Queued,
        RunState::Running,
        RunState::AwaitingReview,
        RunState::Applying,
        RunState::Applied,
        RunState::Completed,
        RunState::Failed,
        RunState::Cancelled,
    ];

    /// Whether a run in this state may move to `to`; every other move is refused.
    pub fn can_go_to(self, to: RunState) -> bool {
        use RunState::*;
        matches!(
            (self, to),
            (Queued, Running | Cancelled)
                | (Running, AwaitingReview | Completed | Failed | Cancelled)
                | (AwaitingReview, Applying | Completed)
                | (Applying, Applied)
        )
    }

    /// The text stored in SQL and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::AwaitingReview => "awaiting_review",
            RunState::Applying => "applying",
            RunState::Applied => "applied",
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// Where one file's change is: reviewable, refused, decided or applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Proposed,
    Blocked,
    Failed,
    Skipped,
    Approved,
    Rejected,
    ChangesRequested,
    Stale,
    Applied,
}

impl ChangeState {
    pub const ALL: [ChangeState; 9] = [
        ChangeState::Proposed,
        ChangeState::Blocked,
        ChangeState::Failed,
        ChangeState::Skipped,
        ChangeState::Approved,
        ChangeState::Rejected,
        ChangeState::ChangesRequested,
        ChangeState::Stale,
        ChangeState::Applied,
    ];

    /// Whether a change in this state may move to `to`: review decisions (a decision may
    /// be changed until apply), a new attempt after changes were requested, and apply's
    /// outcome for approved changes. Blocked, failed and skipped changes are not
    /// approvable.
    pub fn can_go_to(self, to: ChangeState) -> bool {
        use ChangeState::*;
        matches!(
            (self, to),
            (Proposed, Approved | Rejected | ChangesRequested)
                | (Approved, Rejected | ChangesRequested | Applied | Stale)
                | (Rejected, Approved | ChangesRequested)
                | (ChangesRequested, Proposed | Blocked | Failed | Rejected)
        )
    }

    /// Whether a reviewer has still to decide on it.
    pub fn is_open(self) -> bool {
        self == ChangeState::Proposed
    }

    /// The text stored in SQL and printed in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Proposed => "proposed",
            ChangeState::Blocked => "blocked",
            ChangeState::Failed => "failed",
            ChangeState::Skipped => "skipped",
            ChangeState::Approved => "approved",
            ChangeState::Rejected => "rejected",
            ChangeState::ChangesRequested => "changes_requested",
            ChangeState::Stale => "stale",
            ChangeState::Applied => "applied",
        }
    }
}

/// Text that names no known state (a row written by a newer or broken writer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} state {text:?}")]
pub struct UnknownState {
    pub what: &'static str,
    pub text: String,
}

impl FromStr for RunState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RunState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState {
                what: "run",
                text: s.to_string(),
            })
    }
}

impl FromStr for ChangeState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState {
                what: "change",
                text: s.to_string(),
            })
    }
}

impl fmt::Display for RunState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ChangeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunState::*;

    const LEGAL: [(RunState, RunState); 9] = [
        (Queued, Running),
        (Queued, Cancelled),
        (Running, AwaitingReview),
        (Running, Completed),
        (Running, Failed),
        (Running, Cancelled),
        (AwaitingReview, Applying),
        (AwaitingReview, Completed),
        (Applying, Applied),
    ];

    #[test]
    fn every_transition_in_the_lifecycle_diagram_is_legal_and_no_other() {
        for from in RunState::ALL {
            for to in RunState::ALL {
                let expected = LEGAL.contains(&(from, to));
                assert_eq!(from.can_go_to(to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn finished_runs_go_nowhere_and_nothing_goes_back_to_queued() {
        for end in [Applied, Completed, Failed, Cancelled] {
            assert!(RunState::ALL.iter().all(|to| !end.can_go_to(*to)), "{end}");
        }
        assert!(RunState::ALL.iter().all(|from| !from.can_go_to(Queued)));
        assert!(!Queued.can_go_to(AwaitingReview));
        assert!(!AwaitingReview.can_go_to(Applied));
        assert!(!Running.can_go_to(Applying));
    }

    #[test]
    fn only_reviewable_changes_can_be_approved_and_only_approved_ones_applied() {
        use ChangeState as C;
        for from in ChangeState::ALL {
            assert_eq!(
                from.can_go_to(C::Approved),
                matches!(from, C::Proposed | C::Rejected),
                "{from}"
            );
            assert_eq!(from.can_go_to(C::Applied), from == C::Approved, "{from}");
        }
        for end in [C::Blocked, C::Failed, C::Skipped, C::Stale, C::Applied] {
            assert!(
                ChangeState::ALL.iter().all(|to| !end.can_go_to(*to)),
                "{end}"
            );
        }
    }

    #[test]
    fn states_round_trip_through_their_sql_text_and_match_serde() {
        for st in RunState::ALL {
            assert_eq!(st.as_str().parse::<RunState>(), Ok(st));
            assert_eq!(serde_json::to_string(&st).ok(), Some(format!("\"{st}\"")));
        }
        for st in ChangeState::ALL {
            assert_eq!(st.as_str().parse::<ChangeState>(), Ok(st));
            assert_eq!(serde_json::to_string(&st).ok(), Some(format!("\"{st}\"")));
        }
        assert!("awaiting-review".parse::<RunState>().is_err());
    }
}
