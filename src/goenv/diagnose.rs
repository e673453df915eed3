//! `modcache env` as one value: the resolved settings, the lints, the explanation of
//! each requested module and, with `--probe`, what the network said.

use std::path::PathBuf;

use super::GoEnv;
use super::config::GoConfig;
use super::explain::{Explanation, ModuleRef, explain, explain_gomod};
use super::gomod::GoMod;
use super::lint::{Lint, Severity, lint};
use super::probe::{ModuleProbe, Network, ProbeOptions, SumdbProbe, probe_module, probe_sumdb};
use crate::error::Result;

/// What to explain and whether to probe.
#[derive(Debug, Clone, Default)]
pub struct EnvRequest {
    pub modules: Vec<ModuleRef>,
    pub gomod: Option<PathBuf>,
    pub probe: Option<ProbeOptions>,
}

/// Everything `modcache env` found.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub config: GoConfig,
    pub lints: Vec<Lint>,
    pub gomod: Option<PathBuf>,
    /// `--explain` modules first, then `--gomod` requirements in file order.
    pub explanations: Vec<Explanation>,
    /// One per explanation, in the same order, with `--probe`.
    pub probes: Vec<ModuleProbe>,
    /// How the checksum database is reached, probed when a module consults it.
    pub sumdb_probe: Option<SumdbProbe>,
}

impl Diagnosis {
    pub fn collect(env: &GoEnv, request: &EnvRequest) -> Result<Diagnosis> {
        let config = GoConfig::resolve(env);
        let lints = lint(&config);
        let mut explanations: Vec<Explanation> = request
            .modules
            .iter()
            .map(|m| explain(&config, m))
            .collect();
        if let Some(file) = &request.gomod {
            explanations.extend(explain_gomod(&config, &GoMod::read(file)?));
        }
        let (probes, sumdb_probe) = match &request.probe {
            Some(opts) => {
                let net = Network::new(&config, env);
                let probes: Vec<ModuleProbe> = explanations
                    .iter()
                    .map(|e| probe_module(e, &net, opts))
                    .collect();
                let sumdb = explanations
                    .iter()
                    .any(|e| e.checksum_db.consulted)
                    .then(|| probe_sumdb(&config, &net, opts))
                    .flatten();
                (probes, sumdb)
            }
            None => (Vec::new(), None),
        };
        Ok(Diagnosis {
            config,
            lints,
            gomod: request.gomod.clone(),
            explanations,
            probes,
            sumdb_probe,
        })
    }

    /// Lints of severity error or warning, modules Go cannot fetch, failed probes.
    pub fn problem_count(&self) -> usize {
        self.lints
            .iter()
            .filter(|l| l.severity != Severity::Info)
            .count()
            + self
                .explanations
                .iter()
                .filter(|e| e.error.is_some())
                .count()
            + self.probes.iter().filter(|p| !p.ok).count()
            + self.sumdb_probe.iter().filter(|p| !p.ok).count()
    }
}
