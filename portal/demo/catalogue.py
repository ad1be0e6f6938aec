"""The demo's cast: buyers across regions, the kinds of purchases Peruvian entities make, and
the small firms that win them.

Entity names are real kinds of Peruvian public bodies; their RUCs are generated (valid check
digit, not the real numbers), and the suppliers are invented, so nothing here should be read as
real procurement data.
"""

from dataclasses import dataclass

from portal.buyers.ruc import ruc_check_digit


@dataclass(frozen=True)
class DemoBuyer:
    name: str
    acronym: str
    level: str
    department: str  # department name, as OCDS addresses carry it
    region_code: str
    ruc_base: str  # ten digits; the check digit is computed

    @property
    def ruc(self) -> str:
        return self.ruc_base + str(ruc_check_digit(self.ruc_base))


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    ruc_base: str  # ten digits: 20 a company, 10 a person with a business

    @property
    def ruc(self) -> str:
        return self.ruc_base + str(ruc_check_digit(self.ruc_base))


@dataclass(frozen=True)
class DemoPurchase:
    title: str
    description: str
    unspsc: str
    object_type: str  # OCDS mainProcurementCategory: goods, services, works
    consulting: bool
    value_range: tuple[int, int]


BUYERS = (
    DemoBuyer(
        "Municipalidad Provincial de Arequipa", "MPA", "local", "AREQUIPA", "04", "2015381037"
    ),
    DemoBuyer("Gobierno Regional del Cusco", "GORECUSCO", "regional", "CUSCO", "08", "2052760112"),
    DemoBuyer(
        "Municipalidad Distrital de Villa El Salvador", "MVES", "local", "LIMA", "15", "2013170543"
    ),
    DemoBuyer("Hospital Regional Lambayeque", "HRL", "regional", "LAMBAYEQUE", "14", "2048721955"),
    DemoBuyer(
        "Municipalidad Provincial de Trujillo", "MPT", "local", "LA LIBERTAD", "13", "2017556812"
    ),
    DemoBuyer("Gobierno Regional Piura", "GRP", "regional", "PIURA", "20", "2048420861"),
    DemoBuyer(
        "Universidad Nacional del Altiplano", "UNAP", "autonomous", "PUNO", "21", "2014562347"
    ),
    DemoBuyer("Municipalidad Provincial de Tacna", "MPTACNA", "local", "TACNA", "23", "2014770418"),
    DemoBuyer("Red Asistencial Junín", "RAJ", "national", "JUNIN", "12", "2013125789"),
    DemoBuyer("Ministerio de Educación", "MINEDU", "national", "LIMA", "15", "2013137092"),
    DemoBuyer("Municipalidad Provincial de Maynas", "MPM", "local", "LORETO", "16", "2016134690"),
    DemoBuyer("Gobierno Regional Cajamarca", "GRC", "regional", "CAJAMARCA", "06", "2045353067"),
    DemoBuyer("Municipalidad Provincial de Paita", "MPP", "local", "PIURA", "20", "2014601276"),
    DemoBuyer(
        "Municipalidad Distrital de El Porvenir", "MDEP", "local", "LA LIBERTAD", "13", "2017449873"
    ),
)

SUPPLIERS = (
    DemoSupplier("Constructora Andina del Sur S.A.C.", "2060123456"),
    DemoSupplier("Servicios Generales Misti E.I.R.L.", "2060234567"),
    DemoSupplier("Distribuidora Ferretera Qhapaq S.A.C.", "2060345678"),
    DemoSupplier("Textiles Chavín E.I.R.L.", "2060456789"),
    DemoSupplier("Tecnología y Redes del Norte S.A.C.", "2060567890"),
    DemoSupplier("Rosa Mamani Quispe", "1040678901"),
    DemoSupplier("Alimentos Nutritivos Huancayo S.R.L.", "2060789012"),
)

PURCHASES = (
    DemoPurchase(
        "Adquisición de uniformes para el personal de serenazgo",
        "Confección y entrega de uniformes (camisas, pantalones, casacas y gorras) en tallas "
        "según relación adjunta, tela drill de algodón, bordado del escudo institucional.",
        "53102700",
        "goods",
        False,
        (25_000, 180_000),
    ),
    DemoPurchase(
        "Adquisición de calzado de seguridad para obreros",
        "Botines de cuero con puntera de acero y planta antideslizante, certificados según "
        "norma técnica peruana, entrega en almacén central.",
        "46181605",
        "goods",
        False,
        (12_000, 90_000),
    ),
    DemoPurchase(
        "Servicio de limpieza de locales institucionales",
        "Limpieza diaria de oficinas, servicios higiénicos y áreas comunes, incluye personal, "
        "insumos y equipos, por un periodo de doce meses.",
        "76111501",
        "services",
        False,
        (60_000, 420_000),
    ),
    DemoPurchase(
        "Adquisición de útiles de oficina",
        "Papel bond A4 de 75 g, archivadores, lapiceros, tóner para impresoras y otros útiles "
        "de escritorio según especificaciones técnicas.",
        "44121600",
        "goods",
        False,
        (8_000, 65_000),
    ),
    DemoPurchase(
        "Servicio de mantenimiento preventivo y correctivo de vehículos",
        "Mantenimiento de camionetas y compactadoras de la flota municipal: cambio de aceite, "
        "filtros, frenos y revisión eléctrica, con repuestos originales.",
        "78181500",
        "services",
        False,
        (30_000, 250_000),
    ),
    DemoPurchase(
        "Mejoramiento de pistas y veredas del centro poblado",
        "Ejecución de obra: pavimento rígido, veredas de concreto, sardineles y señalización, "
        "según expediente técnico aprobado.",
        "72141103",
        "works",
        False,
        (800_000, 6_500_000),
    ),
    DemoPurchase(
        "Adquisición de alimentos para el Programa del Vaso de Leche",
        "Leche evaporada entera y hojuelas de avena con soya, entrega mensual en los comités "
        "del distrito, con registro sanitario vigente.",
        "50131700",
        "goods",
        False,
        (90_000, 900_000),
    ),
    DemoPurchase(
        "Adquisición de equipos de cómputo para instituciones educativas",
        "Computadoras de escritorio y laptops con garantía de tres años, licencias y "
        "capacitación para docentes.",
        "43211500",
        "goods",
        False,
        (120_000, 1_400_000),
    ),
    DemoPurchase(
        "Consultoría para la elaboración del expediente técnico del mercado",
        "Elaboración del expediente técnico para la construcción del mercado de abastos, con "
        "estudios de suelos, topografía y arquitectura.",
        "81101500",
        "services",
        True,
        (70_000, 450_000),
    ),
    DemoPurchase(
        "Adquisición de mobiliario escolar",
        "Carpetas unipersonales, sillas y pizarras acrílicas para aulas de nivel primaria y "
        "secundaria, fabricadas en madera tornillo y metal.",
        "56121500",
        "goods",
        False,
        (40_000, 600_000),
    ),
    DemoPurchase(
        "Servicio de impresión de material de difusión",
        "Impresión de afiches, volantes, banderolas y gigantografías para campañas de salud y "
        "educación ciudadana.",
        "82121500",
        "services",
        False,
        (5_000, 45_000),
    ),
    DemoPurchase(
        "Adquisición de medicamentos e insumos médicos",
        "Medicamentos esenciales del petitorio nacional, material médico descartable y "
        "reactivos de laboratorio, con entrega programada.",
        "51100000",
        "goods",
        False,
        (50_000, 1_200_000),
    ),
    DemoPurchase(
        "Servicio de seguridad y vigilancia",
        "Vigilancia privada de veinticuatro horas en sedes institucionales, con agentes "
        "acreditados por SUCAMEC y supervisión.",
        "92121500",
        "services",
        False,
        (90_000, 700_000),
    ),
    DemoPurchase(
        "Servicio de alimentación para pacientes hospitalizados",
        "Preparación y distribución de raciones para pacientes y personal de guardia, con "
        "dietas prescritas por nutricionista.",
        "90101600",
        "services",
        False,
        (150_000, 1_100_000),
    ),
    DemoPurchase(
        "Adquisición de cemento y agregados",
        "Cemento portland tipo I, arena gruesa, piedra chancada y fierro corrugado para obras "
        "por administración directa.",
        "30111601",
        "goods",
        False,
        (20_000, 300_000),
    ),
    DemoPurchase(
        "Servicio de transporte de personal",
        "Transporte de trabajadores en bus y minivanes entre las sedes y las zonas de trabajo, "
        "con conductores licenciados y SOAT vigente.",
        "78111800",
        "services",
        False,
        (30_000, 260_000),
    ),
    DemoPurchase(
        "Adquisición de artesanía textil para promoción turística",
        "Chalinas, mantas y tapices de fibra de alpaca elaborados por artesanos de la región, "
        "para ferias y promoción turística.",
        "60121100",
        "goods",
        False,
        (6_000, 50_000),
    ),
    DemoPurchase(
        "Adquisición de muebles de oficina",
        "Escritorios, estantes y sillas ergonómicas para las nuevas oficinas de atención al "
        "ciudadano, fabricación nacional.",
        "56101700",
        "goods",
        False,
        (15_000, 150_000),
    ),
    DemoPurchase(
        "Servicio de mantenimiento de áreas verdes",
        "Riego, poda, abonamiento y reposición de plantas en parques y bermas centrales, con "
        "personal y herramientas.",
        "70111700",
        "services",
        False,
        (25_000, 220_000),
    ),
    DemoPurchase(
        "Construcción de losa deportiva multiusos",
        "Ejecución de obra: losa de concreto, graderías, cerco perimétrico e iluminación, "
        "según expediente técnico.",
        "72121400",
        "works",
        False,
        (300_000, 2_400_000),
    ),
)
