"""What every lrx package stands on, and nothing of lrx above it: errors that name a file and a line
(`errors`), URL -> verified cached file (`fetch`), a sentence as plain data (`sentence`), language codes
(`languages`). `lrx.morphology`, `lrx.lexicons` and `lrx.adapt` import from here; this imports none of them."""
