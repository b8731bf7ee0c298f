
utext/plain; charset=iso-8859-1tCafé Owners Protest
Owners of small cafés marched to the town hall on Tuesday to protest against the fees they pay.
 €Ðß´«3*seed2
kv