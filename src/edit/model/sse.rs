//! An incremental Server-Sent Events reader: bytes in any chunking become the same events,
//! as the WHATWG event-stream rules say (CRLF, LF or CR line ends, `data:` lines joined
//! with `\n`, comments ignored). It never panics and never judges what the data means.

/// One dispatched event: its `event:` name, if any, and its data lines joined with `\n`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    pub event: Option<String>,
    pub data: String,
}

impl Event {
    /// The `data: [DONE]` sentinel that OpenAI-compatible streams end with.
    pub fn is_done(&self) -> bool {
        self.data == "[DONE]"
    }
}

/// Turns a byte stream into events; feed it chunks as they arrive.
#[derive(Debug, Default)]
pub struct SseReader {
    /// Bytes of the line being read; decoded only once whole, so a UTF-8 character cut
    /// between two chunks decodes the same as one that is not.
    line: Vec<u8>,
    /// The previous byte was a CR, so an LF right after it ends nothing more.
    after_cr: bool,
    /// The stream's first line has begun (a leading byte-order mark is dropped before it).
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `bytes` and returns the events they complete, in order.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Vec<Event> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            if self.after_cr && bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
            self.after_cr = false;
            match memchr::memchr2(b'\r', b'\n', bytes) {
                Some(end) => {
                    self.line.extend_from_slice(&bytes[..end]);
                    self.after_cr = bytes[end] == b'\r';
                    bytes = &bytes[end + 1..];
                    self.end_line(&mut out);
                }
                None => {
                    self.line.extend_from_slice(bytes);
                    bytes = &[];
                }
            }
        }
        out
    }

    /// Whether bytes of an event that was never dispatched are pending: a stream that ends
    /// here was cut inside an event.
    pub fn has_partial_event(&self) -> bool {
        !self.line.is_empty() || self.has_data
    }

    fn end_line(&mut self, out: &mut Vec<Event>) {
        let mut bytes = std::mem::take(&mut self.line);
        if !self.started {
            self.started = true;
            if bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
        }
        if bytes.is_empty() {
            self.dispatch(out);
            return;
        }
        if bytes[0] == b':' {
            return;
        }
        let line = String::from_utf8_lossy(&bytes);
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            // `id` and `retry` matter to browsers that reconnect; a model call never does.
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Event>) {
        let event = self.event.take().filter(|e| !e.is_empty());
        if !self.has_data {
            return;
        }
        self.has_data = false;
        out.push(Event {
            event,
            data: std::mem::take(&mut self.data),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_all(chunks: &[&[u8]]) -> Vec<Event> {
        let mut reader = SseReader::new();
        chunks.iter().flat_map(|c| reader.feed(c)).collect()
    }

    fn data(d: &str) -> Event {
        Event {
            event: None,
            data: d.into(),
        }
    }

    #[test]
    fn data_lines_join_with_newlines_and_comments_are_ignored() {
        let events = read_all(&[b": keep-alive\ndata: a\ndata:b\n\ndata: [DONE]\n\n"]);
        assert_eq!(events, vec![data("a\nb"), data("[DONE]")]);
        assert!(events[1].is_done());
    }

    #[test]
    fn crlf_lf_and_cr_line_ends_read_alike_even_when_split() {
        let events = read_all(&[b"event: x\r", b"\ndata: 1\r", b"\r\ndata: 2\r\rdata: 3\n\n"]);
        assert_eq!(
            events,
            vec![
                Event {
                    event: Some("x".into()),
                    data: "1".into()
                },
                data("2"),
                data("3")
            ]
        );
    }

    #[test]
    fn an_event_without_its_blank_line_is_pending_not_dispatched() {
        let mut reader = SseReader::new();
        assert!(reader.feed(b"data: {\"a\":").is_empty());
        assert!(reader.has_partial_event());
        assert!(reader.feed(b"1}\n").is_empty());
        assert_eq!(reader.feed(b"\n"), vec![data("{\"a\":1}")]);
        assert!(!reader.has_partial_event());
    }

    #[test]
    fn a_utf8_character_cut_between_chunks_decodes_whole() {
        let bytes = "data: é€\n\n".as_bytes();
        assert_eq!(read_all(&[&bytes[..7], &bytes[7..]]), vec![data("é€")]);
    }

    /// A valid stream: events with optional names and data lines without line ends.
    fn arb_events() -> impl Strategy<Value = Vec<(Option<String>, Vec<String>)>> {
        let line = "[^\r\n]{0,12}";
        let name = proptest::option::of("[a-z.]{1,8}");
        proptest::collection::vec((name, proptest::collection::vec(line, 1..4)), 0..6)
    }

    /// With mixed ends, a CR is always followed by a CRLF, never an LF it would pair with.
    fn encode(events: &[(Option<String>, Vec<String>)], ends: &[&str]) -> Vec<u8> {
        let mut out = String::from(":comment");
        let mut i = 0;
        let mut end = || {
            i += 1;
            ends[i % ends.len()]
        };
        out.push_str(end());
        for (name, lines) in events {
            if let Some(n) = name {
                out.push_str(&format!("event: {n}{}", end()));
            }
            for l in lines {
                out.push_str(&format!("data: {l}{}", end()));
            }
            out.push_str(end());
        }
        out.into_bytes()
    }

    fn split(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut last = 0;
        let mut chunks = Vec::new();
        for p in points.into_iter().chain([bytes.len()]) {
            chunks.push(bytes[last..p].to_vec());
            last = p;
        }
        chunks
    }

    proptest! {
        #[test]
        fn any_bytes_in_any_chunking_give_the_same_events(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let whole = read_all(&[&bytes]);
            let chunks = split(&bytes, &cuts);
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(read_all(&refs), whole);
        }

        #[test]
        fn a_valid_stream_in_any_chunking_gives_back_its_events(
            events in arb_events(),
            ends in proptest::sample::select(vec![vec!["\n"], vec!["\r\n"], vec!["\r"], vec!["\r\n", "\n", "\r"]]),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let bytes = encode(&events, &ends);
            let chunks = split(&bytes, &cuts);
            let refs: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
            let want: Vec<Event> = events
                .iter()
                .map(|(name, lines)| Event { event: name.clone(), data: lines.join("\n") })
                .collect();
            prop_assert_eq!(read_all(&refs), want);
        }
    }
}
