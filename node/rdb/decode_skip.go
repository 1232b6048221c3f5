package rdb

// Values and opcodes the Decoder parses only to step over them.

// unsupported steps over a value this package does not decode and returns
// the *UnsupportedTypeError for it.
func (d *Decoder) unsupported(t byte, key []byte) error {
	ue := &UnsupportedTypeError{DB: d.db, Key: key, RDBType: t}
	var err error
	switch t {
	case rdbModule2:
		ue.Kind = "module"
		err = d.skipModuleValue(true)
	case rdbModulePreGA:
		// Pre-GA module values carry no annotations: nothing tells where
		// they end, so decoding stops here.
		ue.Kind = "module"
		return ue
	case rdbHashMetaPreGA, rdbHashMeta:
		ue.Kind = "hash with field expiration"
		err = d.skipHashMeta(t == rdbHashMeta)
	case rdbHashLpExPreGA, rdbHashLpEx:
		ue.Kind = "hash with field expiration"
		if t == rdbHashLpEx {
			err = d.rd.skip(8) // minimum expire time
		}
		if err == nil {
			err = d.skipString()
		}
	default:
		return d.corrupt("key %q: unknown value type %d", key, t)
	}
	if err != nil {
		return err
	}
	ue.Skipped = true
	return ue
}

// skipHashMeta steps over a hash with field expiration (types 22, 24):
// [minimum expire,] count, then TTL, field, value per field.
func (d *Decoder) skipHashMeta(withMin bool) error {
	if withMin {
		if err := d.rd.skip(8); err != nil {
			return err
		}
	}
	n, err := d.readLen()
	if err != nil {
		return err
	}
	for ; n > 0; n-- {
		if err := d.skipLens(1); err != nil {
			return err
		}
		if err := d.skipString(); err != nil {
			return err
		}
		if err := d.skipString(); err != nil {
			return err
		}
	}
	return nil
}

// skipModuleValue steps over annotated module data: [module id,] then
// opcode-tagged values up to the EOF opcode (rdbLoadCheckModuleValue).
func (d *Decoder) skipModuleValue(withID bool) error {
	if withID {
		if err := d.skipLens(1); err != nil {
			return err
		}
	}
	for {
		op, err := d.readLen()
		if err != nil {
			return err
		}
		switch op {
		case moduleOpEOF:
			return nil
		case moduleOpSInt, moduleOpUInt:
			err = d.skipLens(1)
		case moduleOpFloat:
			err = d.rd.skip(4)
		case moduleOpDouble:
			err = d.rd.skip(8)
		case moduleOpString:
			err = d.skipString()
		default:
			return d.corrupt("unknown module value opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}

// skipModuleAux steps over MODULE_AUX: module id, the UINT opcode, the
// "when" value, then annotated module data.
func (d *Decoder) skipModuleAux() error {
	if err := d.skipLens(1); err != nil {
		return err
	}
	whenOp, err := d.readLen()
	if err != nil {
		return err
	}
	if whenOp != moduleOpUInt {
		return d.corrupt("module aux data: bad when opcode %d", whenOp)
	}
	if err := d.skipLens(1); err != nil {
		return err
	}
	return d.skipModuleValue(false)
}

// skipFunctionPreGA steps over a library in the 7.0-rc FUNCTION format:
// name, engine, a has-description flag, the description, the code.
func (d *Decoder) skipFunctionPreGA() error {
	if err := d.skipString(); err != nil {
		return err
	}
	if err := d.skipString(); err != nil {
		return err
	}
	hasDesc, err := d.readLen()
	if err != nil {
		return err
	}
	if hasDesc != 0 {
		if err := d.skipString(); err != nil {
			return err
		}
	}
	return d.skipString()
}
