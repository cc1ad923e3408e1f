//! `schema`: the JSON Schema of content or environment TOML, for taplo / Even Better TOML.

use clap::{Args, ValueEnum};

use crate::cli::ExitStatus;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// Content items: `content/**/*.toml` (also `schemas/content.schema.json`)
    #[default]
    Content,
    /// Environment files: `content/environments/*.toml` (also `schemas/environment.schema.json`)
    Environment,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which files the schema describes
    #[arg(long, value_enum, default_value_t = SchemaKind::Content)]
    pub kind: SchemaKind,
}

pub fn run(args: SchemaArgs) -> anyhow::Result<ExitStatus> {
    let text = match args.kind {
        SchemaKind::Content => crate::content::schema::content_schema_text(),
        SchemaKind::Environment => crate::content::schema::environment_schema_text(),
    };
    print!("{text}");
    Ok(ExitStatus::Clean)
}
