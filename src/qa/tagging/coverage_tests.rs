use super::*;
use crate::qa::testing::check_files;

// Coverage is exercised through the audit (`qa::audit` tests) and the rules' fixtures; the
// status order is checked here on the statuses themselves.
#[test]
fn problems_sort_before_tagged() {
    let _ = check_files;
    let mut s = Status::ALL.to_vec();
    s.sort();
    assert_eq!(s.last(), Some(&Status::Tagged));
    assert_eq!(s.first(), Some(&Status::TaggedTwice));
}
