package keyspace

// CloneObject returns a deep copy of a collection value with the same
// encoding, for COPY (Redis's hashTypeDup, setTypeDup, zsetDup, ...).
func CloneObject(o Object) Object { return o.clone() }
