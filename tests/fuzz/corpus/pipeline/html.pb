
https://x.test/h	text/html"<html><body><p>x</p></body></html> €Ðß´«3*seed2
kv