"""An entity's own upload of its annual plan (PAC): template, draft with preview, publish."""
