"""Parsers for the official public taxonomies (ESCO, O*NET). Pure: they read files and
return records; ``nomadcloud.taxonomy.store`` writes them to the database."""
